using CatsDogs.Model.Backends;
using static CatsDogs.Tests.Model.Backends.GradientCheck;

namespace CatsDogs.Tests.Model.Backends;

/// <summary>
/// Every backend op against float64 references: forward values directly, gradients against
/// central finite differences of the reference. Derive once per backend (and thread count); a
/// subclass whose backend cannot run everywhere says where not with a <see cref="BackendUnavailableAttribute"/>.
/// </summary>
public abstract class BackendOpTests : IDisposable
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-3;

    private readonly Random _random = new(1234);

    private protected BackendOpTests(IBackend backend) => Backend = backend;

    private protected IBackend Backend { get; }

    [BackendTheory]
    [InlineData(2, 3, 5, 5, 4, 1, false)]
    [InlineData(2, 2, 6, 5, 3, 0, true)]
    [InlineData(1, 2, 16, 16, 3, 1, true)]
    [InlineData(3, 2, 4, 4, 5, 1, false)]
    [InlineData(2, 3, 14, 14, 7, 1, true)]
    [InlineData(1, 3, 9, 7, 10, 1, true)]
    [InlineData(1, 5, 5, 8, 3, 0, false)]
    public void Convolution_matches_reference_and_finite_differences(int n, int c, int h, int w, int outChannels, int padding, bool biasAndRelu)
    {
        const int K = 3;
        var x = RandomValues(n * c * h * w);
        var filter = RandomValues(outChannels * c * K * K);
        var bias = RandomValues(outChannels);
        var (ho, wo) = (h + 2 * padding - K + 1, w + 2 * padding - K + 1);
        var dy = RandomValues(n * outChannels * ho * wo);
        var xt = Make(new TensorShape(n, c, h, w), x);
        var wt = Make(new TensorShape(outChannels, c, K, K), filter);
        var bt = Make(new TensorShape(outChannels, 1), bias);
        var yt = Backend.Allocate(new TensorShape(n, outChannels, ho, wo));
        var dyt = Make(yt.Shape, dy);
        var (dxt, dwt, dbt) = (Backend.Allocate(xt.Shape), Backend.Allocate(wt.Shape), Backend.Allocate(bt.Shape));

        Backend.ConvolutionForward(xt, wt, biasAndRelu ? bt : null, yt, padding, biasAndRelu);
        if (biasAndRelu)
        {
            Backend.ReluBackward(yt, dyt, dyt);
            Backend.BiasBackward(dyt, dbt);
        }

        Backend.ConvolutionBackwardData(dyt, wt, dxt, padding);
        Backend.ConvolutionBackwardFilter(xt, dyt, dwt, padding);

        double[] Forward()
        {
            var y = ReferenceOps.Convolution(x, n, c, h, w, filter, outChannels, K, padding);
            return biasAndRelu ? ReferenceOps.Relu(ReferenceOps.AddBias(y, n, outChannels, ho * wo, bias)) : y;
        }

        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "data gradient");
        AssertClose(Read(dwt), Numerical(filter, Forward, dy), GradientTolerance, "filter gradient");
        if (biasAndRelu)
        {
            AssertClose(Read(dbt), Numerical(bias, Forward, dy), GradientTolerance, "bias gradient");
        }
    }

    /// <summary>
    /// Enough images for every thread to get several groups: the parallel path with per-chunk filter partials. The last
    /// case has filters deeper than one GEMM depth block (40 x 9 = 360 > 320) and more of them than one row block
    /// (130 > 120), in one group whose product is split by rows: the CPU backend packs such filters once per call.
    /// </summary>
    [BackendTheory]
    [InlineData(12, 3, 16, 16, 8)]
    [InlineData(60, 4, 6, 6, 5)]
    [InlineData(6, 40, 6, 6, 130)]
    public void Convolution_over_many_images_matches_the_reference_gradients(int n, int c, int h, int w, int outChannels)
    {
        const int K = 3;
        var x = RandomValues(n * c * h * w);
        var filter = RandomValues(outChannels * c * K * K);
        var dy = RandomValues(n * outChannels * h * w);
        var (xt, wt) = (Make(new TensorShape(n, c, h, w), x), Make(new TensorShape(outChannels, c, K, K), filter));
        var (yt, dyt) = (Backend.Allocate(new TensorShape(n, outChannels, h, w)), Make(new TensorShape(n, outChannels, h, w), dy));
        var (dxt, dwt) = (Backend.Allocate(xt.Shape), Backend.Allocate(wt.Shape));

        Backend.ConvolutionForward(xt, wt, null, yt, 1, false);
        Backend.ConvolutionBackwardData(dyt, wt, dxt, 1);
        Backend.ConvolutionBackwardFilter(xt, dyt, dwt, 1);

        var (dx, dw) = ReferenceOps.ConvolutionGradients(x, n, c, h, w, filter, outChannels, K, 1, dy);
        AssertClose(Read(yt), ReferenceOps.Convolution(x, n, c, h, w, filter, outChannels, K, 1), ForwardTolerance, "forward");
        AssertClose(Read(dxt), dx, ForwardTolerance, "data gradient");
        AssertClose(Read(dwt), dw, ForwardTolerance, "filter gradient");
    }

    [BackendFact]
    public void Bias_matches_reference_and_finite_differences()
    {
        var (n, c, plane) = (3, 4, 6);
        var y = RandomValues(n * c * plane);
        var bias = RandomValues(c);
        var dy = RandomValues(y.Length);
        var yt = Make(new TensorShape(n, c, 2, 3), y);
        var dbias = Backend.Allocate(new TensorShape(c, 1));

        Backend.AddBias(yt, Make(new TensorShape(c, 1), bias));
        Backend.BiasBackward(Make(yt.Shape, dy), dbias);

        double[] Forward() => ReferenceOps.AddBias(y, n, c, plane, bias);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dbias), Numerical(bias, Forward, dy), GradientTolerance, "bias gradient");
    }

    [BackendTheory]
    [InlineData(5, 7, 3)]
    [InlineData(1, 9, 5)]
    public void Dense_layer_products_match_finite_differences(int n, int inputs, int outputs)
    {
        var x = RandomValues(n * inputs);
        var weights = RandomValues(outputs * inputs);
        var dy = RandomValues(n * outputs);
        var (xt, wt, dyt) = (Make(new TensorShape(n, inputs), x), Make(new TensorShape(outputs, inputs), weights), Make(new TensorShape(n, outputs), dy));
        var (yt, dxt, dwt) = (Backend.Allocate(dyt.Shape), Backend.Allocate(xt.Shape), Backend.Allocate(wt.Shape));

        Backend.Gemm(false, true, 1f, xt, wt, 0f, yt);
        Backend.Gemm(false, false, 1f, dyt, wt, 0f, dxt);
        Backend.Gemm(true, false, 1f, dyt, xt, 0f, dwt);

        double[] Forward() => ReferenceOps.MatrixProduct(x, weights, n, outputs, inputs, false, true);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "input gradient");
        AssertClose(Read(dwt), Numerical(weights, Forward, dy), GradientTolerance, "weight gradient");
    }

    [BackendTheory]
    [InlineData(false, false, 13, 37, 300)]
    [InlineData(true, false, 6, 64, 5)]
    [InlineData(false, true, 70, 33, 129)]
    [InlineData(true, true, 25, 19, 260)]
    [InlineData(false, false, 130, 2100, 40)]
    [InlineData(false, true, 200, 45, 600)]
    [InlineData(false, true, 13, 37, 300)]
    [InlineData(false, true, 30, 200, 1100)]
    [InlineData(false, false, 13, 37, 700, 0f)]
    [InlineData(false, true, 70, 33, 129, 0f)]
    [InlineData(true, false, 40, 300, 27, 0f)]
    public void Gemm_matches_naive_product(bool transposeA, bool transposeB, int m, int n, int k, float beta = -2f)
    {
        var a = RandomValues(m * k);
        var b = RandomValues(k * n);
        // With beta 0, C must not be read: NaN there must not leak into the product.
        var c = beta == 0f ? Enumerable.Repeat(double.NaN, m * n).ToArray() : RandomValues(m * n);
        var at = Make(transposeA ? new TensorShape(k, m) : new TensorShape(m, k), a);
        var bt = Make(transposeB ? new TensorShape(n, k) : new TensorShape(k, n), b);
        var ct = Make(new TensorShape(m, n), c);

        Backend.Gemm(transposeA, transposeB, 0.5f, at, bt, beta, ct);

        var expected = ReferenceOps.MatrixProduct(a, b, m, n, k, transposeA, transposeB)
            .Select((v, i) => 0.5 * v + (beta == 0f ? 0 : beta * c[i])).ToArray();
        AssertClose(Read(ct), expected, 1e-5, "product");
    }

    [BackendFact]
    public void Relu_matches_finite_differences()
    {
        var x = RandomValues(40);
        var dy = RandomValues(40);
        var shape = new TensorShape(2, 5, 2, 2);
        var (xt, yt, dxt) = (Make(shape, x), Backend.Allocate(shape), Backend.Allocate(shape));

        Backend.ReluForward(xt, yt);
        Backend.ReluBackward(yt, Make(shape, dy), dxt);

        AssertClose(Read(yt), ReferenceOps.Relu(x), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, () => ReferenceOps.Relu(x), dy), GradientTolerance, "gradient");
    }

    /// <summary>
    /// The residual sum adds into what y holds and leaves x alone, at odd sizes past a SIMD width and across the CPU's
    /// chunks. Its backward is this op too (the network adds the skip's gradient in), so the gradients through it are
    /// checked where they chain, in the whole-network check of resnet9.
    /// </summary>
    [BackendTheory]
    [InlineData(1, 3, 5, 7)]
    [InlineData(4, 64, 16, 16)]
    public void Residual_add_adds_into_its_output(int n, int c, int h, int w)
    {
        var shape = new TensorShape(n, c, h, w);
        var (x, y) = (RandomValues(shape.Count), RandomValues(shape.Count));
        var (xt, yt) = (Make(shape, x), Make(shape, y));

        Backend.Add(xt, yt);

        AssertClose(Read(yt), x.Zip(y, (a, b) => a + b).ToArray(), ForwardTolerance, "sum");
        Assert.Equal(x.Select(v => (float)v), Read(xt));
    }

    /// <summary>Rows and columns in no window (odd sides) must get a zero gradient: dx starts as NaN, so one left unwritten fails.</summary>
    [BackendTheory]
    [InlineData(2, 3, 4, 4, 2)]
    [InlineData(2, 3, 5, 7, 2)]
    [InlineData(2, 3, 7, 6, 3)]
    [InlineData(1, 5, 9, 4, 2)]
    public void Max_pooling_matches_finite_differences(int n, int c, int h, int w, int window)
    {
        var x = RandomValues(n * c * h * w);
        var input = new TensorShape(n, c, h, w);
        var output = new TensorShape(n, c, h / window, w / window);
        var dy = RandomValues(output.Count);
        var (xt, yt, dxt) = (Make(input, x), Backend.Allocate(output), Backend.Allocate(input));
        Backend.Fill(dxt, float.NaN);

        Backend.MaxPoolForward(xt, yt, window);
        Backend.MaxPoolBackward(xt, yt, Make(output, dy), dxt, window);

        double[] Forward() => ReferenceOps.MaxPool(x, n * c, h, w, window);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "gradient");
    }

    [BackendTheory]
    [InlineData(2, 3, 3, 5)]
    [InlineData(1, 5, 7, 1)]
    public void Global_average_pooling_matches_finite_differences(int n, int c, int h, int w)
    {
        var input = new TensorShape(n, c, h, w);
        var x = RandomValues(input.Count);
        var dy = RandomValues(n * c);
        var (xt, yt, dxt) = (Make(input, x), Backend.Allocate(new TensorShape(n, c)), Backend.Allocate(input));

        Backend.GlobalAveragePoolForward(xt, yt);
        Backend.GlobalAveragePoolBackward(Make(yt.Shape, dy), dxt);

        double[] Forward() => ReferenceOps.GlobalAveragePool(x, n * c, h * w);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "gradient");
    }

    [BackendFact]
    public void Dropout_matches_its_counter_based_mask_and_finite_differences()
    {
        var shape = new TensorShape(4, 50);
        var x = RandomValues(shape.Count);
        var dy = RandomValues(shape.Count);
        var (xt, yt, dxt) = (Make(shape, x), Backend.Allocate(shape), Backend.Allocate(shape));
        const ulong Seed = 99;

        Backend.DropoutForward(xt, yt, 0.5f, Seed);
        Backend.DropoutBackward(Make(shape, dy), dxt, 0.5f, Seed);

        double[] Forward() => ReferenceOps.Dropout(x, 0.5f, Seed);
        var dropped = Forward().Count(v => v == 0d);
        Assert.InRange(dropped, 70, 130);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "gradient");
    }

    [BackendTheory]
    [InlineData(3, 2, 2, 3)]
    [InlineData(1, 5, 3, 7)]
    public void Batch_norm_training_matches_finite_differences_and_updates_running_statistics(int n, int c, int h, int w)
    {
        const float Epsilon = 1e-5f;
        var shape = new TensorShape(n, c, h, w);
        var x = RandomValues(shape.Count).Select(v => 3 * v + 1).ToArray();
        var gamma = RandomValues(c).Select(v => v + 1.5).ToArray();
        var beta = RandomValues(c);
        var dy = RandomValues(shape.Count);
        var vector = new TensorShape(c, 1);
        var (xt, yt, gt, bt) = (Make(shape, x), Backend.Allocate(shape), Make(vector, gamma), Make(vector, beta));
        var (mean, variance) = (Backend.Allocate(vector), Backend.Allocate(vector));
        Backend.Fill(variance, 1f);
        var (savedMean, savedInverseStd) = (Backend.Allocate(vector), Backend.Allocate(vector));
        var (dxt, dgt, dbt) = (Backend.Allocate(shape), Backend.Allocate(vector), Backend.Allocate(vector));

        Backend.BatchNormForwardTraining(xt, yt, gt, bt, mean, variance, savedMean, savedInverseStd, 0.1f, Epsilon);
        Backend.BatchNormBackward(xt, Make(shape, dy), gt, savedMean, savedInverseStd, dxt, dgt, dbt);

        double[] Forward() => ReferenceOps.BatchNorm(x, n, c, h * w, gamma, beta, Epsilon);
        AssertClose(Read(yt), Forward(), ForwardTolerance, "forward");
        AssertClose(Read(dxt), Numerical(x, Forward, dy), GradientTolerance, "input gradient");
        AssertClose(Read(dgt), Numerical(gamma, Forward, dy), GradientTolerance, "gamma gradient");
        AssertClose(Read(dbt), Numerical(beta, Forward, dy), GradientTolerance, "beta gradient");
        var count = n * h * w;
        var batchMean = Enumerable.Range(0, c).Select(ch => ReferenceOps.Channel(x, n, c, h * w, ch).Average()).ToArray();
        var unbiased = Enumerable.Range(0, c).Select(ch =>
            ReferenceOps.Channel(x, n, c, h * w, ch).Sum(v => (v - batchMean[ch]) * (v - batchMean[ch])) / (count - 1)).ToArray();
        AssertClose(Read(mean), batchMean.Select(m => 0.1 * m).ToArray(), ForwardTolerance, "running mean");
        AssertClose(Read(variance), unbiased.Select(v => 0.9 + 0.1 * v).ToArray(), ForwardTolerance, "running variance");

        Backend.BatchNormForwardInference(xt, yt, gt, bt, mean, variance, Epsilon);
        var runningMean = Read(mean);
        var runningVariance = Read(variance);
        var expected = x.Select((v, i) =>
        {
            var ch = i / (h * w) % c;
            return gamma[ch] * (v - runningMean[ch]) / Math.Sqrt(runningVariance[ch] + Epsilon) + beta[ch];
        }).ToArray();
        AssertClose(Read(yt), expected, ForwardTolerance, "inference");
    }

    [BackendTheory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Sigmoid_cross_entropy_matches_finite_differences_and_counts_only_labeled_items(float smoothing)
    {
        var logits = new[] { 0.3, -1.2, 2.5, 0.7, -0.4, 1.1 };
        var labels = new[] { 1f, 0f, 0f, float.NaN, 1f, 1f };
        var shape = new TensorShape(6, 1);
        var (zt, gradient, stats) = (Make(shape, logits), Backend.Allocate(shape), Backend.Allocate(new TensorShape(3, 1)));
        var labelTensor = Backend.Allocate(shape);
        Backend.Upload(labels, labelTensor);

        Backend.SigmoidCrossEntropy(zt, labelTensor, gradient, stats, smoothing);
        Backend.SigmoidCrossEntropy(zt, labelTensor, null, stats, smoothing);

        // Smoothing is cross-entropy against targets moved toward 1/2 (1 becomes 0.95 at 0.1); the correct count keeps the labels.
        var targets = labels.Select(t => (t * (1 - smoothing)) + (smoothing / 2)).ToArray();
        var mean = ReferenceOps.MeanCrossEntropy(logits, targets);
        AssertClose(Read(gradient), Numerical(logits, () => ReferenceOps.MeanCrossEntropy(logits, targets)), GradientTolerance, "gradient");
        var totals = Read(stats);
        Assert.Equal(2 * 5 * mean, totals[0], 4);
        Assert.Equal(2 * 3f, totals[1]);
        Assert.Equal(2 * 5f, totals[2]);
    }

    [BackendFact]
    public void Sigmoid_cross_entropy_stays_finite_for_extreme_logits()
    {
        var shape = new TensorShape(4, 1);
        var (zt, labels, gradient, stats) = (Make(shape, [200, -200, 200, -200]), Backend.Allocate(shape), Backend.Allocate(shape), Backend.Allocate(new TensorShape(3, 1)));
        Backend.Upload([1f, 0f, 0f, 1f], labels);

        Backend.SigmoidCrossEntropy(zt, labels, gradient, stats, 0f);

        Assert.Equal(400f, Read(stats)[0], 3);
        Assert.Equal([0f, 0f, 0.25f, -0.25f], Read(gradient));
    }

    [BackendFact]
    public void Sgd_with_nesterov_and_weight_decay_follows_its_formula()
    {
        var shape = new TensorShape(37, 1);
        var (w, g) = (RandomValues(37), RandomValues(37));
        var (wt, gt, vt, scale) = (Make(shape, w), Make(shape, g), Backend.Allocate(shape), Make(new TensorShape(1, 1), [0.5]));
        var step = new SgdStep(0.1f, 0.9f, true, 0.01f);
        var velocity = new double[37];

        for (var i = 0; i < 2; i++)
        {
            Backend.SgdUpdate(wt, gt, vt, scale, step);
            for (var j = 0; j < w.Length; j++)
            {
                var gradient = 0.5 * g[j] + 0.01 * w[j];
                velocity[j] = 0.9 * velocity[j] + gradient;
                w[j] -= 0.1 * (gradient + 0.9 * velocity[j]);
            }
        }

        AssertClose(Read(wt), w, 1e-5, "weights");
        AssertClose(Read(vt), velocity, 1e-5, "velocity");
    }

    [BackendFact]
    public void AdamW_follows_its_formula()
    {
        var shape = new TensorShape(3, 11);
        var (w, g) = (RandomValues(33), RandomValues(33));
        var (wt, gt, mt, vt) = (Make(shape, w), Make(shape, g), Backend.Allocate(shape), Backend.Allocate(shape));
        var (m, v) = (new double[33], new double[33]);

        for (var t = 1; t <= 3; t++)
        {
            Backend.AdamWUpdate(wt, gt, mt, vt, null, new AdamWStep(0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, t));
            for (var j = 0; j < w.Length; j++)
            {
                w[j] *= 1 - 0.01 * 0.1;
                m[j] = 0.9 * m[j] + 0.1 * g[j];
                v[j] = 0.999 * v[j] + 0.001 * g[j] * g[j];
                var mHat = m[j] / (1 - Math.Pow(0.9, t));
                var vHat = v[j] / (1 - Math.Pow(0.999, t));
                w[j] -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }

        AssertClose(Read(wt), w, 1e-5, "weights");
    }

    [BackendFact]
    public void Clip_factor_scales_the_global_norm_down_to_the_limit_only_when_above_it()
    {
        var scalar = new TensorShape(1, 1);
        var (sum, factor) = (Backend.Allocate(scalar), Backend.Allocate(scalar));
        Backend.AccumulateSquaredNorm(Make(new TensorShape(2, 1), [3, 4]), sum);
        Backend.AccumulateSquaredNorm(Make(new TensorShape(1, 1), [12]), sum);

        Backend.ClipFactor(sum, 6.5f, factor);
        Assert.Equal(0.5f, Read(factor)[0], 6);
        Backend.ClipFactor(sum, 20f, factor);
        Assert.Equal(1f, Read(factor)[0]);
    }

    /// <summary>As large as baseline's dense1 (weights and bias), the largest tensor any preset clips: its sum of squares must not drift from the exact one with the length.</summary>
    [BackendFact]
    public void Squared_norm_of_a_large_tensor_matches_its_float64_sum()
    {
        var values = RandomValues(4_194_432);
        var sum = Backend.Allocate(new TensorShape(1, 1));

        Backend.AccumulateSquaredNorm(Make(new TensorShape(1, values.Length), values), sum);

        AssertClose(Read(sum), [values.Sum(v => v * v)], 1e-6, "sum of squares");
    }

    [BackendFact]
    public void Loading_images_turns_interleaved_bytes_into_scaled_planes_and_keeps_labels()
    {
        using var images = new StripeImages(3, 4, seed: 8);
        var batch = images.Batch(0, 3);
        var (pixels, labels) = (Backend.Allocate(new TensorShape(3, 3, 4, 4)), Backend.Allocate(new TensorShape(3, 1)));

        Backend.LoadImages(batch, pixels, labels);

        var bytes = batch.PixelSpan.ToArray();
        var expected = Enumerable.Range(0, 3 * 3 * 16).Select(i =>
        {
            var (n, c, p) = (i / 48, i / 16 % 3, i % 16);
            return bytes[(n * 16 + p) * 3 + c] / 255d;
        }).ToArray();
        AssertClose(Read(pixels), expected, 1e-6, "pixels");
        Assert.Equal(batch.LabelSpan.ToArray(), Read(labels));
    }

    public void Dispose()
    {
        Backend.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected Tensor Make(TensorShape shape, double[] values)
    {
        var tensor = Backend.Allocate(shape);
        Backend.Upload(values.Select(v => (float)v).ToArray(), tensor);
        return tensor;
    }

    private protected float[] Read(Tensor tensor)
    {
        var values = new float[tensor.Shape.Count];
        Backend.Download(tensor, values);
        return values;
    }

    /// <summary>Values in [-1, 1) that are exact in float32, so backend and reference see the same inputs.</summary>
    private double[] RandomValues(int count) =>
        Enumerable.Range(0, count).Select(_ => (double)(float)(_random.NextDouble() * 2 - 1)).ToArray();
}
