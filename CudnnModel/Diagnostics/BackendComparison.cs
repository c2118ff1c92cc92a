using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// Runs every op of the backend interface, forward and gradients, on fresh random inputs on a
/// reference backend and a candidate, and reports the worst relative error per op. Backend-
/// agnostic: the self-test compares CUDA with the CPU, the tests compare the CPU with itself.
/// Shapes are small enough for a CPU reference to run in about a second, and odd-sized
/// (channels not multiples of 8) so that no fast path hides a bug.
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
        using var pair = new BackendPair(reference, candidate, seed);
        var rows = new List<OpComparison>();
        void Add(string op, double error) => rows.Add(new OpComparison(op, error, threshold));

        Convolutions(pair, Add);
        Dense(pair, Add);
        Activations(pair, Add);
        Pooling(pair, Add);
        BatchNorm(pair, Add);
        Loss(pair, Add);
        Optimizers(pair, Add);
        Add("load images (uint8 NHWC -> NCHW)", LoadImages(pair));
        return rows;
    }

    private static void Convolutions(BackendPair p, Action<string, double> add)
    {
        var x = p.Random(new TensorShape(3, 5, 12, 11));
        var w = p.Random(new TensorShape(7, 5, 3, 3));
        var bias = p.Random(new TensorShape(7, 1));
        var y = p.Zeros(new TensorShape(3, 7, 12, 11));
        var dy = p.Random(y.Shape);
        var (dx, dw, db) = (p.Zeros(x.Shape), p.Zeros(w.Shape), p.Zeros(bias.Shape));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), null, t(y), 1, relu: false));
        add("conv forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), t(bias), t(y), 1, relu: false));
        add("conv + bias forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), t(bias), t(y), 1, relu: true));
        add("conv + bias + relu forward", p.Error(y));
        p.Run((b, t) => b.ConvolutionBackwardData(t(dy), t(w), t(dx), 1));
        add("conv backward data", p.Error(dx));
        p.Run((b, t) => b.ConvolutionBackwardFilter(t(x), t(dy), t(dw), 1));
        add("conv backward filter", p.Error(dw));
        p.Run((b, t) => b.AddBias(t(y), t(bias)));
        add("bias forward", p.Error(y));
        p.Run((b, t) => b.BiasBackward(t(dy), t(db)));
        add("bias backward", p.Error(db));

        var valid = p.Zeros(new TensorShape(3, 7, 10, 9));
        p.Run((b, t) => b.ConvolutionForward(t(x), t(w), null, t(valid), 0, relu: false));
        add("conv forward, no padding", p.Error(valid));
    }

    private static void Dense(BackendPair p, Action<string, double> add)
    {
        var x = p.Random(new TensorShape(6, 4, 3, 3));
        var w = p.Random(new TensorShape(5, 36));
        var y = p.Zeros(new TensorShape(6, 5));
        var dy = p.Random(y.Shape);
        var (dx, dw) = (p.Zeros(x.Shape), p.Zeros(w.Shape));
        p.Run((b, t) => b.Gemm(false, true, 1f, t(x), t(w), 0f, t(y)));
        add("dense forward (x wT)", p.Error(y));
        p.Run((b, t) => b.Gemm(false, false, 1f, t(dy), t(w), 0f, t(dx)));
        add("dense backward data (dy w)", p.Error(dx));
        p.Run((b, t) => b.Gemm(true, false, 0.5f, t(dy), t(x), 1f, t(dw)));
        add("dense backward weights (dyT x, alpha, beta)", p.Error(dw));
    }

    private static void Activations(BackendPair p, Action<string, double> add)
    {
        var x = p.Random(new TensorShape(4, 6, 5, 7));
        var dy = p.Random(x.Shape);
        var (y, dx) = (p.Zeros(x.Shape), p.Zeros(x.Shape));
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
        p.Run((b, t) => b.Copy(t(x), t(y)));
        add("copy", p.Error(y));
        p.Run((b, t) => b.Fill(t(y), 0.25f));
        add("fill", p.Error(y));
    }

    private static void Pooling(BackendPair p, Action<string, double> add)
    {
        // Distinct values: with ties, "the first maximum" is the CPU's rule but not cuDNN's.
        var shape = new TensorShape(3, 5, 8, 6);
        var distinct = Enumerable.Range(0, shape.Count).Select(i => (float)i / shape.Count - 0.5f).ToArray();
        new Random(7).Shuffle(distinct);
        var x = p.With(shape, distinct);
        var y = p.Zeros(new TensorShape(3, 5, 4, 3));
        var dy = p.Random(y.Shape);
        var dx = p.Zeros(x.Shape);
        p.Run((b, t) => b.MaxPoolForward(t(x), t(y), 2));
        add("max pool forward", p.Error(y));
        p.Run((b, t) => b.MaxPoolBackward(t(x), t(y), t(dy), t(dx), 2));
        add("max pool backward", p.Error(dx));

        var pooled = p.Zeros(new TensorShape(3, 5));
        var dpooled = p.Random(pooled.Shape);
        p.Run((b, t) => b.GlobalAveragePoolForward(t(x), t(pooled)));
        add("global average pool forward", p.Error(pooled));
        p.Run((b, t) => b.GlobalAveragePoolBackward(t(dpooled), t(dx)));
        add("global average pool backward", p.Error(dx));
    }

    private static void BatchNorm(BackendPair p, Action<string, double> add)
    {
        var x = p.Random(new TensorShape(4, 6, 5, 5));
        var channels = new TensorShape(6, 1);
        var (gamma, beta) = (p.Random(channels), p.Random(channels));
        var runningMean = p.Random(channels);
        var runningVariance = p.With(channels, [.. p.Values(6).Select(v => 1.5f + v)]);
        var (savedMean, savedInverseStd) = (p.Zeros(channels), p.Zeros(channels));
        var (y, dy, dx) = (p.Zeros(x.Shape), p.Random(x.Shape), p.Zeros(x.Shape));
        var (dgamma, dbeta) = (p.Zeros(channels), p.Zeros(channels));
        p.Run((b, t) => b.BatchNormForwardTraining(t(x), t(y), t(gamma), t(beta), t(runningMean), t(runningVariance),
            t(savedMean), t(savedInverseStd), 0.1f, 1e-5f));
        add("batch norm forward (training)", p.Error(y, savedMean, savedInverseStd));
        add("batch norm running statistics", p.Error(runningMean, runningVariance));
        p.Run((b, t) => b.BatchNormBackward(t(x), t(dy), t(gamma), t(savedMean), t(savedInverseStd), t(dx), t(dgamma), t(dbeta)));
        add("batch norm backward", p.Error(dx, dgamma, dbeta));
        p.Run((b, t) => b.BatchNormForwardInference(t(x), t(y), t(gamma), t(beta), t(runningMean), t(runningVariance), 1e-5f));
        add("batch norm forward (inference)", p.Error(y));
    }

    private static void Loss(BackendPair p, Action<string, double> add)
    {
        var logits = p.With(new TensorShape(37, 1), [.. p.Values(37).Select(v => 6f * v)]);
        var labels = p.With(logits.Shape, [.. Enumerable.Range(0, 37).Select(i => i % 9 == 4 ? float.NaN : i % 2)]);
        var dlogits = p.Zeros(logits.Shape);
        var stats = p.Zeros(new TensorShape(3, 1));
        p.Run((b, t) => b.SigmoidCrossEntropy(t(logits), t(labels), t(dlogits), t(stats)));
        p.Run((b, t) => b.SigmoidCrossEntropy(t(logits), t(labels), null, t(stats)));
        add("sigmoid + BCE (loss, correct, count)", p.Error(stats));
        add("sigmoid + BCE gradient", p.Error(dlogits));
    }

    private static void Optimizers(BackendPair p, Action<string, double> add)
    {
        var shape = new TensorShape(11, 13);
        var (w, g, v) = (p.Random(shape), p.Random(shape), p.Random(shape));
        var (sum, factor) = (p.Zeros(new TensorShape(1, 1)), p.Zeros(new TensorShape(1, 1)));
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

    private static unsafe double LoadImages(BackendPair p)
    {
        const int Count = 5, Height = 6, Width = 7;
        var bytes = Count * Height * Width * HostImageBatch.Channels;
        using var pixels = AlignedHostAllocator.Instance.Allocate(bytes);
        using var labels = AlignedHostAllocator.Instance.Allocate(Count * sizeof(float));
        new Random(3).NextBytes(pixels.AsSpan(0, bytes));
        float[] values = [0f, 1f, float.NaN, 1f, 0f];
        values.CopyTo(new Span<float>((void*)labels.Pointer, Count));
        var batch = new HostImageBatch(pixels.Pointer, labels.Pointer, Count, Height, Width);
        var images = p.Zeros(new TensorShape(Count, HostImageBatch.Channels, Height, Width));
        var loaded = p.Zeros(new TensorShape(Count, 1));
        p.Run((b, t) => b.LoadImages(batch, t(images), t(loaded)));
        return p.Error(images, loaded);
    }
}
