using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// Runs every op of the backend interface, forward and gradients, on fresh random inputs on a
/// reference backend and a candidate, at every shape of <see cref="ComparisonShapes"/>, and
/// reports per op the worst relative error and the shape it was met at. Backend-agnostic: the
/// self-test compares CUDA with the CPU, the tests compare the CPU with itself. Outputs start
/// from random values, not zeros, so that an op that should overwrite its output but adds to it,
/// or leaves part of it as it was, is caught, and an op that accumulates really does.
/// </summary>
public static class BackendComparison
{
    /// <summary>Worst relative error allowed with strict float32 math on both sides.</summary>
    public const double Fp32Threshold = 1e-4;

    /// <summary>Worst relative error allowed when the candidate may round products to TF32 (10-bit mantissa).</summary>
    public const double Tf32Threshold = 5e-3;

    /// <summary>The threshold for a device: TF32's only where a GPU may use it.</summary>
    public static double ThresholdFor(ComputeDevice device, Precision precision) =>
        device.Name == "cuda" && precision == Precision.Tf32 ? Tf32Threshold : Fp32Threshold;

    /// <summary>Compares <paramref name="device"/> with a fresh CPU backend, op by op.</summary>
    public static IReadOnlyList<OpComparison> CompareWithCpu(ComputeDevice device, CpuBackendOptions reference, double threshold)
    {
        ArgumentNullException.ThrowIfNull(device);
        using var cpu = new CpuBackend(reference);
        return Run(cpu, device.Backend, threshold);
    }

    internal static IReadOnlyList<OpComparison> Run(IBackend reference, IBackend candidate, double threshold, int seed = 1)
    {
        var worst = new WorstErrors(threshold);

        // A pair per shape, so that its tensors are freed before the next shape's are made.
        void Each<T>(IEnumerable<T> shapes, Action<BackendPair, T, Action<string, double>> family) where T : notnull
        {
            foreach (var shape in shapes)
            {
                using var pair = new BackendPair(reference, candidate, seed);
                family(pair, shape, (op, error) => worst.Add(op, shape.ToString()!, error));
            }
        }

        Each(ComparisonShapes.Convolutions, Convolutions);
        Each(ComparisonShapes.Dense, Dense);
        Each(ComparisonShapes.FeatureMaps, Activations);
        Each(ComparisonShapes.FeatureMaps, Pooling);
        Each(ComparisonShapes.FeatureMaps, BatchNorm);
        Each(ComparisonShapes.Logits, Loss);
        Each(ComparisonShapes.Parameters, Optimizers);
        Each(ComparisonShapes.Images, (p, s, add) => add("load images (uint8 NHWC -> NCHW)", LoadImages(p, s.Shape)));
        return worst.Rows;
    }

    private static void Convolutions(BackendPair p, ConvolutionShape s, Action<string, double> add)
    {
        var same = s.Kernel / 2;
        var x = p.Random(s.Input);
        var w = p.Random(s.Weights);
        var bias = p.Random(new TensorShape(s.Filters, 1));
        var y = p.Random(s.Output(same));
        var dy = p.Random(y.Shape);
        var (dx, dw, db) = (p.Random(x.Shape), p.Random(w.Shape), p.Random(bias.Shape));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), null, t(y), same, relu: false));
        add("conv forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), t(bias), t(y), same, relu: false));
        add("conv + bias forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), t(bias), t(y), same, relu: true));
        add("conv + bias + relu forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionBackwardData(t(dy), t(w), t(dx), same));
        add("conv backward data", p.Error(dx));
        p.Run((b, t) => b.ConvolutionBackwardFilter(t(x), t(dy), t(dw), same));
        add("conv backward filter", p.Error(dw));
        p.Run((b, t) => b.AddBias(t(y), t(bias)));
        add("bias forward", p.Error(y));
        p.Run((b, t) => b.BiasBackward(t(dy), t(db)));
        add("bias backward", p.Error(db));

        if (s.FitsUnpadded)
        {
            var valid = p.Random(s.Output(0));
            p.Run((b, t) => b.ConvolutionForward(t(x), t(w), null, t(valid), 0, relu: false));
            add("conv forward, no padding", p.Error(valid));
        }
    }

    private static void Dense(BackendPair p, DenseShape s, Action<string, double> add)
    {
        var x = p.Random(s.Input);
        var w = p.Random(new TensorShape(s.Units, s.Input.ItemSize));
        var y = p.Random(new TensorShape(s.Input.N, s.Units));
        var dy = p.Random(y.Shape);
        var (dx, dw) = (p.Random(x.Shape), p.Random(w.Shape));
        p.Run((b, t) => b.Gemm(false, true, 1f, t(x), t(w), 0f, t(y)));
        add("dense forward (x wT)", p.Error(y));
        p.Run((b, t) => b.Gemm(false, false, 1f, t(dy), t(w), 0f, t(dx)));
        add("dense backward data (dy w)", p.Error(dx));
        p.Run((b, t) => b.Gemm(true, false, 0.5f, t(dy), t(x), 1f, t(dw)));
        add("dense backward weights (dyT x, alpha, beta)", p.Error(dw));
    }

    private static void Activations(BackendPair p, NamedShape s, Action<string, double> add)
    {
        var x = p.Random(s.Shape);
        var dy = p.Random(x.Shape);
        var (y, dx) = (p.Random(x.Shape), p.Random(x.Shape));
        p.Run((b, t) => b.ReluForward(t(x), t(y)));
        add("relu forward", p.Error(y));
        p.Run((b, t) => b.ReluBackward(t(y), t(dy), t(dx)));
        add("relu backward", p.Error(dx));
        p.Run((b, t) => b.DropoutForward(t(x), t(y), 0.3f, 12345));
        add("dropout forward", p.Error(y));
        p.Run((b, t) => b.DropoutBackward(t(dy), t(dx), 0.3f, 12345));
        add("dropout backward", p.Error(dx));
        p.Run((b, t) => b.Sigmoid(t(x), t(y)));
        add("sigmoid", p.Error(y));
        p.Run((b, t) => b.Add(t(x), t(y)));
        add("residual add (y += x)", p.Error(y));
        p.Run((b, t) => b.Copy(t(x), t(y)));
        add("copy", p.Error(y));
        p.Run((b, t) => b.Fill(t(y), 0.25f));
        add("fill", p.Error(y));
    }

    private static void Pooling(BackendPair p, NamedShape s, Action<string, double> add)
    {
        // Distinct values: with ties, "the first maximum" is the CPU's rule but not cuDNN's.
        var shape = s.Shape;
        var distinct = Enumerable.Range(0, shape.Count).Select(i => (float)i / shape.Count - 0.5f).ToArray();
        new Random(7).Shuffle(distinct);
        var x = p.With(shape, distinct);
        var y = p.Random(shape.Pooled(2));
        var dy = p.Random(y.Shape);
        var dx = p.Random(x.Shape);
        p.Run((b, t) => b.MaxPoolForward(t(x), t(y), 2));
        add("max pool forward", p.Error(y));
        p.Run((b, t) => b.MaxPoolBackward(t(x), t(y), t(dy), t(dx), 2));
        add("max pool backward", p.Error(dx));

        var pooled = p.Random(new TensorShape(shape.N, shape.C));
        var dpooled = p.Random(pooled.Shape);
        p.Run((b, t) => b.GlobalAveragePoolForward(t(x), t(pooled)));
        add("global average pool forward", p.Error(pooled));
        p.Run((b, t) => b.GlobalAveragePoolBackward(t(dpooled), t(dx)));
        add("global average pool backward", p.Error(dx));
    }

    private static void BatchNorm(BackendPair p, NamedShape s, Action<string, double> add)
    {
        var x = p.Random(s.Shape);
        var channels = new TensorShape(s.Shape.C, 1);
        var (gamma, beta) = (p.Random(channels), p.Random(channels));
        var runningMean = p.Random(channels);
        var runningVariance = p.With(channels, [.. p.Values(channels.Count).Select(v => 1.5f + v)]);
        var (savedMean, savedInverseStd) = (p.Random(channels), p.Random(channels));
        var (y, dy, dx) = (p.Random(x.Shape), p.Random(x.Shape), p.Random(x.Shape));
        var (dgamma, dbeta) = (p.Random(channels), p.Random(channels));
        p.Run((b, t) => b.BatchNormForwardTraining(t(x), t(y), t(gamma), t(beta), t(runningMean), t(runningVariance),
            t(savedMean), t(savedInverseStd), 0.1f, 1e-5f));
        add("batch norm forward (training)", p.Error(y, savedMean, savedInverseStd));
        add("batch norm running statistics", p.Error(runningMean, runningVariance));
        p.Run((b, t) => b.BatchNormBackward(t(x), t(dy), t(gamma), t(savedMean), t(savedInverseStd), t(dx), t(dgamma), t(dbeta)));
        add("batch norm backward", p.Error(dx, dgamma, dbeta));
        p.Run((b, t) => b.BatchNormForwardInference(t(x), t(y), t(gamma), t(beta), t(runningMean), t(runningVariance), 1e-5f));
        add("batch norm forward (inference)", p.Error(y));
    }

    private static void Loss(BackendPair p, NamedShape s, Action<string, double> add)
    {
        var count = s.Shape.N;
        var logits = p.With(s.Shape, [.. p.Values(count).Select(v => 6f * v)]);
        var labels = p.With(logits.Shape, [.. Enumerable.Range(0, count).Select(i => i % 9 == 4 ? float.NaN : i % 2)]);
        var dlogits = p.Random(logits.Shape);
        // The statistics are sums the op adds to, so they start from other values than zero too.
        var stats = p.Random(new TensorShape(3, 1));
        // Training as with label smoothing, evaluation without it.
        p.Run((b, t) => b.SigmoidCrossEntropy(t(logits), t(labels), t(dlogits), t(stats), 0.1f));
        p.Run((b, t) => b.SigmoidCrossEntropy(t(logits), t(labels), null, t(stats), 0f));
        add("sigmoid + BCE (loss, correct, count)", p.Error(stats));
        add("sigmoid + BCE gradient", p.Error(dlogits));
    }

    private static void Optimizers(BackendPair p, NamedShape s, Action<string, double> add)
    {
        var shape = s.Shape;
        var (w, g, v) = (p.Random(shape), p.Random(shape), p.Random(shape));
        // The sum is added to, and must stay a sum of squares: it starts from a positive value.
        var sum = p.With(new TensorShape(1, 1), [.. p.Values(1).Select(Math.Abs)]);
        var factor = p.Random(new TensorShape(1, 1));
        // Two tensors into one sum, the second over 275 blocks: more partials than the one block that adds them has threads.
        var many = p.Random(new TensorShape(64, 1100));
        p.Run((b, t) => b.AccumulateSquaredNorm(t(g), t(sum)));
        p.Run((b, t) => b.AccumulateSquaredNorm(t(many), t(sum)));
        add("squared norm", p.Error(sum));
        p.Run((b, t) => b.ClipFactor(t(sum), 2f, t(factor)));
        add("clip factor", p.Error(factor));
        p.Run((b, t) => b.SgdUpdate(t(w), t(g), t(v), t(factor), new SgdStep(0.05f, 0.9f, true, 1e-3f)));
        add("SGD update (Nesterov, decay, clipped)", p.Error(w, v));
        var second = p.With(shape, [.. p.Values(shape.Count).Select(Math.Abs)]);
        p.Run((b, t) => b.AdamWUpdate(t(w), t(g), t(v), t(second), null, new AdamWStep(1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, 3)));
        add("AdamW update", p.Error(w, v, second));
    }

    private static unsafe double LoadImages(BackendPair p, TensorShape shape)
    {
        var (count, height, width) = (shape.N, shape.H, shape.W);
        var bytes = count * height * width * HostImageBatch.Channels;
        using var pixels = AlignedHostAllocator.Instance.Allocate(bytes);
        using var labels = AlignedHostAllocator.Instance.Allocate(count * sizeof(float));
        new Random(3).NextBytes(pixels.AsSpan(0, bytes));
        float[] pattern = [0f, 1f, float.NaN, 1f, 0f];
        var values = new Span<float>((void*)labels.Pointer, count);
        for (var i = 0; i < count; i++)
        {
            values[i] = pattern[i % pattern.Length];
        }

        var batch = new HostImageBatch(pixels.Pointer, labels.Pointer, count, height, width);
        var images = p.Random(new TensorShape(count, HostImageBatch.Channels, height, width));
        var loaded = p.Random(new TensorShape(count, 1));
        p.Run((b, t) => b.LoadImages(batch, t(images), t(loaded)));
        return p.Error(images, loaded);
    }
}
