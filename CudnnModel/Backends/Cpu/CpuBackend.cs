using System.Numerics.Tensors;
using CatsDogs.Model.Memory;
using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// The reference backend: managed SIMD on the host, parallel over a fixed set of numbered
/// workers (<see cref="CpuBackendOptions.Threads"/>). Ops run synchronously.
/// <para>
/// Threading: one op at a time; the backend is not safe to call from two threads at once
/// because each worker's scratch memory is reused by every op.
/// </para>
/// </summary>
internal sealed unsafe class CpuBackend : IBackend
{
    // Below this many elements per range, a memory-bound pass is faster than waking a thread.
    private const int MinimumRange = 1 << 16;

    private readonly WorkerPool _pool;

    // Filter-gradient partials, two chunks per thread (see Convolution.BackwardFilter).
    private readonly NativeBuffer[] _partials;
    private readonly NativeBuffer _packedFilters = new();

    public CpuBackend(CpuBackendOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Threads, nameof(options.Threads));
        _pool = new WorkerPool(options.Threads);
        _partials = Enumerable.Range(0, 2 * options.Threads).Select(_ => new NativeBuffer()).ToArray();
    }

    public string Name => "cpu";

    public string Description =>
        $"CPU, {Threads} thread(s), {(Sgemm.Uses512Bits ? "AVX-512" : "256-bit")} SGEMM micro-kernel";

    public int Threads => _pool.Threads;

    public Tensor Allocate(TensorShape shape) => new CpuTensor(shape);

    public Tensor View(Tensor tensor, TensorShape shape) => Cpu(tensor).View(shape);

    public void Upload(ReadOnlySpan<float> source, Tensor destination) => source.CopyTo(Cpu(destination).Span);

    public void Download(Tensor source, Span<float> destination) => Cpu(source).Span.CopyTo(destination);

    public void Fill(Tensor tensor, float value) => Cpu(tensor).Span.Fill(value);

    public void Copy(Tensor source, Tensor destination)
    {
        Same(source.Shape, destination.Shape);
        Cpu(source).Span.CopyTo(Cpu(destination).Span);
    }

    public void LoadImages(HostImageBatch batch, Tensor images, Tensor labels)
    {
        Same(new TensorShape(batch.Count, HostImageBatch.Channels, batch.Height, batch.Width), images.Shape);
        Same(new TensorShape(batch.Count, 1), labels.Shape);
        var target = Cpu(images);
        _pool.ForEach(batch.Count, n =>
            ImageLoader.ToPlanar(batch.PixelSpan.Slice(n * batch.ImageBytes, batch.ImageBytes), target.Span.Slice(n * target.Shape.ItemSize, target.Shape.ItemSize)));
        batch.LabelSpan.CopyTo(Cpu(labels).Span);
    }

    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, int padding, bool relu)
    {
        var geometry = Geometry(x, w, y, padding);
        if (bias is not null)
        {
            Same(new TensorShape(w.Shape.N, 1), bias.Shape);
        }

        var epilogue = new GemmEpilogue(bias is null ? null : Cpu(bias).Pointer, relu);
        Convolution.Forward(Cpu(x).Pointer, Cpu(w).Pointer, Cpu(y).Pointer, x.Shape.N, w.Shape.N, geometry, _pool, epilogue, _packedFilters);
    }

    public void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding)
    {
        var geometry = Geometry(dx, w, dy, padding);
        Convolution.BackwardData(Cpu(dy).Pointer, Cpu(w).Pointer, Cpu(dx).Pointer, dx.Shape.N, w.Shape.N, geometry, _pool, _packedFilters);
    }

    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding)
    {
        var geometry = Geometry(x, dw, dy, padding);
        Convolution.BackwardFilter(Cpu(x).Pointer, Cpu(dy).Pointer, Cpu(dw).Pointer, x.Shape.N, dw.Shape.N, geometry, _pool, _partials);
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        var shape = y.Shape;
        Same(new TensorShape(shape.C, 1), bias.Shape);
        var (data, values) = (Cpu(y), Cpu(bias));
        _pool.ForEach(shape.N * shape.C, plane =>
        {
            var target = data.Span.Slice(plane * shape.Plane, shape.Plane);
            TensorPrimitives.Add(target, values.Span[plane % shape.C], target);
        });
    }

    public void BiasBackward(Tensor dy, Tensor dbias)
    {
        var shape = dy.Shape;
        Same(new TensorShape(shape.C, 1), dbias.Shape);
        var (source, target) = (Cpu(dy), Cpu(dbias));
        _pool.ForEach(shape.C, c => target.Span[c] = (float)Reductions.ChannelSum(new ChannelPlanes(source.Span, shape, c)));
    }

    public void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        var (aRows, aColumns) = (a.Shape.N, a.Shape.ItemSize);
        var (bRows, bColumns) = (b.Shape.N, b.Shape.ItemSize);
        var (m, k) = transposeA ? (aColumns, aRows) : (aRows, aColumns);
        var (kb, n) = transposeB ? (bColumns, bRows) : (bRows, bColumns);
        Require(k == kb && c.Shape.N == m && c.Shape.ItemSize == n);
        Sgemm.Multiply(transposeA, transposeB, m, n, k, alpha, Cpu(a).Pointer, aColumns, Cpu(b).Pointer, bColumns,
            beta, Cpu(c).Pointer, n, _pool);
    }

    public void ReluForward(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        var (source, target) = (Cpu(x), Cpu(y));
        ForChunks(x.Shape.Count, (start, length) =>
            Activations.Relu(source.Span.Slice(start, length), target.Span.Slice(start, length)));
    }

    public void ReluBackward(Tensor y, Tensor dy, Tensor dx)
    {
        Same(y.Shape, dy.Shape);
        Same(y.Shape, dx.Shape);
        var (output, gradient, target) = (Cpu(y), Cpu(dy), Cpu(dx));
        ForChunks(y.Shape.Count, (start, length) => Activations.ReluBackward(
            output.Span.Slice(start, length), gradient.Span.Slice(start, length), target.Span.Slice(start, length)));
    }

    public void Add(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        var (source, target) = (Cpu(x), Cpu(y));
        ForChunks(x.Shape.Count, (start, length) =>
        {
            var slice = target.Span.Slice(start, length);
            TensorPrimitives.Add(source.Span.Slice(start, length), slice, slice);
        });
    }

    public void MaxPoolForward(Tensor x, Tensor y, int window)
    {
        var (input, output) = (x.Shape, x.Shape.Pooled(window));
        Same(output, y.Shape);
        var (source, target) = (Cpu(x), Cpu(y));
        _pool.ForEach(input.N * input.C, plane => Pooling.MaxForward(
            source.Span.Slice(plane * input.Plane, input.Plane), target.Span.Slice(plane * output.Plane, output.Plane),
            input.H, input.W, window));
    }

    public void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        var (input, output) = (x.Shape, x.Shape.Pooled(window));
        Same(output, y.Shape);
        Same(output, dy.Shape);
        Same(input, dx.Shape);
        var (xs, ys, dys, dxs) = (Cpu(x), Cpu(y), Cpu(dy), Cpu(dx));
        _pool.ForEach(input.N * input.C, plane => Pooling.MaxBackward(
            xs.Span.Slice(plane * input.Plane, input.Plane), ys.Span.Slice(plane * output.Plane, output.Plane),
            dys.Span.Slice(plane * output.Plane, output.Plane), dxs.Span.Slice(plane * input.Plane, input.Plane),
            input.H, input.W, window));
    }

    public void GlobalAveragePoolForward(Tensor x, Tensor y)
    {
        var input = x.Shape;
        Same(new TensorShape(input.N, input.C), y.Shape);
        var (source, target) = (Cpu(x), Cpu(y));
        _pool.ForEach(input.N * input.C, plane =>
            target.Span[plane] = Pooling.AverageForward(source.Span.Slice(plane * input.Plane, input.Plane)));
    }

    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx)
    {
        var input = dx.Shape;
        Same(new TensorShape(input.N, input.C), dy.Shape);
        var (source, target) = (Cpu(dy), Cpu(dx));
        _pool.ForEach(input.N * input.C, plane =>
            Pooling.AverageBackward(source.Span[plane], target.Span.Slice(plane * input.Plane, input.Plane)));
    }

    public void DropoutForward(Tensor x, Tensor y, float rate, ulong seed) => Dropout(x, y, rate, seed);

    // The mask is a function of (seed, index) only, so backward is the same masking applied to dy.
    public void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed) => Dropout(dy, dx, rate, seed);

    public void BatchNormForwardTraining(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        Tensor savedMean, Tensor savedInverseStd, float momentum, float epsilon)
    {
        var shape = x.Shape;
        Same(shape, y.Shape);
        CheckChannelVectors(shape.C, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        var (xs, ys) = (Cpu(x), Cpu(y));
        var (g, b, rm, rv, sm, si) = (Cpu(gamma), Cpu(beta), Cpu(runningMean), Cpu(runningVariance), Cpu(savedMean), Cpu(savedInverseStd));
        var count = shape.N * shape.Plane;
        _pool.ForEach(shape.C, c =>
        {
            var (mean, variance) = BatchNormalization.Statistics(new ChannelPlanes(xs.Span, shape, c));
            var inverseStd = 1f / MathF.Sqrt(variance + epsilon);
            sm.Span[c] = mean;
            si.Span[c] = inverseStd;
            var unbiased = count > 1 ? variance * count / (count - 1) : variance;
            rm.Span[c] = (1f - momentum) * rm.Span[c] + momentum * mean;
            rv.Span[c] = (1f - momentum) * rv.Span[c] + momentum * unbiased;
            var scale = g.Span[c] * inverseStd;
            BatchNormalization.Affine(new ChannelPlanes(xs.Span, shape, c), new ChannelPlanes(ys.Span, shape, c), scale, b.Span[c] - mean * scale);
        });
    }

    public void BatchNormForwardInference(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon)
    {
        var shape = x.Shape;
        Same(shape, y.Shape);
        CheckChannelVectors(shape.C, gamma, beta, runningMean, runningVariance);
        var (xs, ys, g, b, rm, rv) = (Cpu(x), Cpu(y), Cpu(gamma), Cpu(beta), Cpu(runningMean), Cpu(runningVariance));
        _pool.ForEach(shape.C, c =>
        {
            var scale = g.Span[c] / MathF.Sqrt(rv.Span[c] + epsilon);
            BatchNormalization.Affine(new ChannelPlanes(xs.Span, shape, c), new ChannelPlanes(ys.Span, shape, c), scale, b.Span[c] - rm.Span[c] * scale);
        });
    }

    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor dx, Tensor dgamma, Tensor dbeta)
    {
        var shape = x.Shape;
        Same(shape, dy.Shape);
        Same(shape, dx.Shape);
        CheckChannelVectors(shape.C, gamma, savedMean, savedInverseStd, dgamma, dbeta);
        var (xs, dys, dxs) = (Cpu(x), Cpu(dy), Cpu(dx));
        var (g, sm, si, dg, db) = (Cpu(gamma), Cpu(savedMean), Cpu(savedInverseStd), Cpu(dgamma), Cpu(dbeta));
        _pool.ForEach(shape.C, c =>
        {
            (dg.Span[c], db.Span[c]) = BatchNormalization.Backward(new ChannelPlanes(xs.Span, shape, c), new ChannelPlanes(dys.Span, shape, c),
                new ChannelPlanes(dxs.Span, shape, c), g.Span[c], sm.Span[c], si.Span[c]);
        });
    }

    public void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats, float smoothing)
    {
        Same(new TensorShape(logits.Shape.N, 1), logits.Shape);
        Same(logits.Shape, labels.Shape);
        Same(new TensorShape(3, 1), stats.Shape);
        if (dlogits is not null)
        {
            Same(logits.Shape, dlogits.Shape);
        }

        var (loss, correct, labeled) = Backends.Cpu.SigmoidCrossEntropy.Evaluate(Cpu(logits).Span, Cpu(labels).Span,
            dlogits is null ? Span<float>.Empty : Cpu(dlogits).Span, smoothing);
        var totals = Cpu(stats).Span;
        totals[0] += (float)loss;
        totals[1] += correct;
        totals[2] += labeled;
    }

    public void Sigmoid(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        TensorPrimitives.Sigmoid(Cpu(x).Span, Cpu(y).Span);
    }

    public void AccumulateSquaredNorm(Tensor x, Tensor sum)
    {
        Same(new TensorShape(1, 1), sum.Shape);
        Cpu(sum).Span[0] = (float)(Cpu(sum).Span[0] + Reductions.SumOfSquares(Cpu(x).Span));
    }

    public void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor)
    {
        Same(new TensorShape(1, 1), sumOfSquares.Shape);
        Same(new TensorShape(1, 1), factor.Shape);
        var norm = MathF.Sqrt(Cpu(sumOfSquares).Span[0]);
        Cpu(factor).Span[0] = norm > maxNorm ? maxNorm / norm : 1f;
    }

    public void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, velocity.Shape);
        var (w, g, v) = (Cpu(weights), Cpu(gradient), Cpu(velocity));
        var scale = ScaleOf(gradientScale);
        var copy = step;
        ForChunks(weights.Shape.Count, (start, length) =>
            Optimizers.Sgd(w.Span.Slice(start, length), g.Span.Slice(start, length), v.Span.Slice(start, length), scale, copy));
    }

    public void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, firstMoment.Shape);
        Same(weights.Shape, secondMoment.Shape);
        var (w, g, m, v) = (Cpu(weights), Cpu(gradient), Cpu(firstMoment), Cpu(secondMoment));
        var scale = ScaleOf(gradientScale);
        var copy = step;
        ForChunks(weights.Shape.Count, (start, length) => Optimizers.AdamW(w.Span.Slice(start, length), g.Span.Slice(start, length),
            m.Span.Slice(start, length), v.Span.Slice(start, length), scale, copy));
    }

    public void Dispose()
    {
        _pool.Dispose();
        _packedFilters.Dispose();
        foreach (var partial in _partials)
        {
            partial.Dispose();
        }
    }

    private static CpuTensor Cpu(Tensor tensor) =>
        tensor as CpuTensor ?? throw new ArgumentException($"A {tensor.GetType().Name} was passed to the CPU backend.", nameof(tensor));

    private static float ScaleOf(Tensor? gradientScale)
    {
        if (gradientScale is null)
        {
            return 1f;
        }

        Same(new TensorShape(1, 1), gradientScale.Shape);
        return Cpu(gradientScale).Span[0];
    }

    private static ConvolutionGeometry Geometry(Tensor x, Tensor w, Tensor y, int padding)
    {
        var (input, filter, output) = (x.Shape, w.Shape, y.Shape);
        Require(filter.H == filter.W && filter.C == input.C);
        var geometry = new ConvolutionGeometry(input.C, input.H, input.W, filter.H, padding);
        Same(new TensorShape(input.N, filter.N, geometry.OutputHeight, geometry.OutputWidth), output);
        return geometry;
    }

    private static void CheckChannelVectors(int channels, params ReadOnlySpan<Tensor> vectors)
    {
        foreach (var vector in vectors)
        {
            Same(new TensorShape(channels, 1), vector.Shape);
        }
    }

    private void Dropout(Tensor x, Tensor y, float rate, ulong seed)
    {
        Same(x.Shape, y.Shape);
        Require(rate is >= 0f and < 1f);
        var (source, target) = (Cpu(x), Cpu(y));
        ForChunks(x.Shape.Count, (start, length) =>
            Activations.Dropout(source.Span.Slice(start, length), target.Span.Slice(start, length), rate, seed, start));
    }

    /// <summary>Element-wise work in contiguous ranges; small tensors stay on the caller.</summary>
    private void ForChunks(int count, Action<int, int> body) => _pool.ForRanges(count, MinimumRange, body);
}
