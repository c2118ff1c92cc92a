using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Stride-1 convolution as im2col + <see cref="Sgemm"/>, over groups of images.
/// <para>
/// A group unfolds several images side by side so that layers with tiny planes (2x2 at the end of
/// deep6) still give the GEMM hundreds of columns. With at least two groups per thread, the
/// groups are the parallel items and each runs single-threaded GEMMs; otherwise the groups run
/// one after another and each GEMM uses every thread. Forward and backward-data pack the filters
/// once for all groups, into the caller's buffer. The filter gradient is summed over
/// contiguous chunks of groups into per-chunk partials, then across chunks in order, so it is
/// reproducible for a given thread count.
/// </para>
/// </summary>
internal static unsafe class Convolution
{
    // Enough output columns for a few full 32-wide B panels per GEMM.
    private const int MinimumGroupColumns = 256;

    /// <summary>y = conv(x, w), then the epilogue's bias per output channel and ReLU.</summary>
    public static void Forward(float* x, float* w, float* y, int batch, int outChannels, ConvolutionGeometry g, WorkerPool pool,
        GemmEpilogue epilogue, NativeBuffer packedFilters)
    {
        var (px, pw, py) = ((nint)x, (nint)w, (nint)y);
        var plane = g.OutputPlane;
        var filters = Sgemm.Pack(false, outChannels, g.ColumnRows, 1f, w, g.ColumnRows, packedFilters);
        ForEachGroup(batch, g, pool, (first, count, workspace, gemm) =>
        {
            var columns = count * plane;
            var col = Unfold((float*)px, first, count, g, workspace);
            var direct = count == 1;
            var target = direct ? (float*)py + (long)first * outChannels * plane : workspace.Staging.Get((long)outChannels * columns);
            gemm.Multiply(false, false, outChannels, columns, g.ColumnRows, 1f, (float*)pw, g.ColumnRows, col, columns, 0f, target, columns, epilogue,
                filters);
            if (!direct)
            {
                Scatter(target, (float*)py, first, count, outChannels, plane);
            }
        });
    }

    public static void BackwardData(float* dy, float* w, float* dx, int batch, int outChannels, ConvolutionGeometry g, WorkerPool pool,
        NativeBuffer packedFilters)
    {
        var (pdy, pw, pdx) = ((nint)dy, (nint)w, (nint)dx);
        var plane = g.OutputPlane;
        var filters = Sgemm.Pack(true, g.ColumnRows, outChannels, 1f, w, g.ColumnRows, packedFilters);
        var imageSize = (long)g.Channels * g.Height * g.Width;
        ForEachGroup(batch, g, pool, (first, count, workspace, gemm) =>
        {
            var columns = count * plane;
            var gradient = Gather((float*)pdy, first, count, outChannels, plane, workspace);
            var col = workspace.Columns.Get((long)g.ColumnRows * columns);
            gemm.Multiply(true, false, g.ColumnRows, columns, outChannels, 1f, (float*)pw, g.ColumnRows, gradient, columns, 0f, col, columns,
                packedA: filters);
            for (var i = 0; i < count; i++)
            {
                var image = (float*)pdx + (first + i) * imageSize;
                new Span<float>(image, (int)imageSize).Clear();
                g.FoldAdd(col, columns, i * plane, image);
            }
        });
    }

    /// <summary>dw = sum over the batch of dy · col^T, through <paramref name="partials"/> (one buffer per chunk) when parallel.</summary>
    public static void BackwardFilter(float* x, float* dy, float* dw, int batch, int outChannels, ConvolutionGeometry g, WorkerPool pool,
        NativeBuffer[] partials)
    {
        var plane = g.OutputPlane;
        var size = (long)outChannels * g.ColumnRows;
        var (size1, groups) = Groups(batch, g);
        void Accumulate(int group, float* target, float beta, CpuWorkspace workspace, GemmRunner gemm)
        {
            var first = group * size1;
            var count = Math.Min(size1, batch - first);
            var columns = count * plane;
            var col = Unfold(x, first, count, g, workspace);
            var gradient = Gather(dy, first, count, outChannels, plane, workspace);
            gemm.Multiply(false, true, outChannels, g.ColumnRows, columns, 1f, gradient, columns, col, columns, beta, target, g.ColumnRows);
        }

        if (!GroupsAreItems(groups, pool))
        {
            for (var group = 0; group < groups; group++)
            {
                Accumulate(group, dw, group == 0 ? 0f : 1f, pool.Main, new GemmRunner(pool, null));
            }

            return;
        }

        var chunks = Math.Min(groups, partials.Length);
        var (px, pdy) = ((nint)x, (nint)dy);
        pool.ForEach(chunks, (chunk, workspace) =>
        {
            var target = partials[chunk].Get(size);
            var (start, end) = WorkerPool.Slice(groups, chunks, chunk);
            for (var group = start; group < end; group++)
            {
                Accumulate(group, target, group == start ? 0f : 1f, workspace, new GemmRunner(null, workspace));
            }
        });

        var (total, count) = ((nint)dw, (int)size);
        pool.ForRanges(count, 1 << 14, (start, length) =>
        {
            var sum = new Span<float>((float*)total + start, length);
            new ReadOnlySpan<float>(partials[0].Get(size) + start, length).CopyTo(sum);
            for (var chunk = 1; chunk < chunks; chunk++)
            {
                TensorPrimitives.Add(sum, new ReadOnlySpan<float>(partials[chunk].Get(size) + start, length), sum);
            }
        });
    }

    private delegate void GroupBody(int first, int count, CpuWorkspace workspace, GemmRunner gemm);

    /// <summary>Images per group, and the number of groups.</summary>
    private static (int Size, int Count) Groups(int batch, ConvolutionGeometry g)
    {
        var size = Math.Clamp((MinimumGroupColumns + g.OutputPlane - 1) / g.OutputPlane, 1, batch);
        return (size, (batch + size - 1) / size);
    }

    private static bool GroupsAreItems(int groups, WorkerPool pool) => pool.Threads > 1 && groups >= 2 * pool.Threads;

    private static void ForEachGroup(int batch, ConvolutionGeometry g, WorkerPool pool, GroupBody body)
    {
        var (size, groups) = Groups(batch, g);
        if (GroupsAreItems(groups, pool))
        {
            pool.ForEach(groups, (group, workspace) =>
                body(group * size, Math.Min(size, batch - group * size), workspace, new GemmRunner(null, workspace)));
            return;
        }

        for (var group = 0; group < groups; group++)
        {
            body(group * size, Math.Min(size, batch - group * size), pool.Main, new GemmRunner(pool, null));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* Unfold(float* x, int first, int count, ConvolutionGeometry g, CpuWorkspace workspace)
    {
        var columns = count * g.OutputPlane;
        var col = workspace.Columns.Get((long)g.ColumnRows * columns);
        var imageSize = (long)g.Channels * g.Height * g.Width;
        for (var i = 0; i < count; i++)
        {
            g.Unfold(x + (first + i) * imageSize, col, columns, i * g.OutputPlane);
        }

        return col;
    }

    /// <summary>Copies [channel, image * plane] staging rows out to NCHW images.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(float* staging, float* y, int first, int count, int channels, int plane)
    {
        var columns = count * plane;
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                new ReadOnlySpan<float>(staging + (long)c * columns + i * plane, plane)
                    .CopyTo(new Span<float>(y + ((long)(first + i) * channels + c) * plane, plane));
            }
        }
    }

    /// <summary>
    /// Returns dy of a group as a [channel, image * plane] matrix: the tensor itself for one
    /// image, else a copy in the staging buffer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* Gather(float* dy, int first, int count, int channels, int plane, CpuWorkspace workspace)
    {
        if (count == 1)
        {
            return dy + (long)first * channels * plane;
        }

        var columns = count * plane;
        var staging = workspace.Staging.Get((long)channels * columns);
        for (var i = 0; i < count; i++)
        {
            for (var c = 0; c < channels; c++)
            {
                new ReadOnlySpan<float>(dy + ((long)(first + i) * channels + c) * plane, plane)
                    .CopyTo(new Span<float>(staging + (long)c * columns + i * plane, plane));
            }
        }

        return staging;
    }

    /// <summary>Runs a GEMM either on the whole pool (groups in sequence) or on one workspace (groups in parallel).</summary>
    private readonly struct GemmRunner(WorkerPool? pool, CpuWorkspace? workspace)
    {
        public void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
            float beta, float* c, int ldc, GemmEpilogue epilogue = default, PackedOperand packedA = default)
        {
            if (pool is not null)
            {
                Sgemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool, epilogue, packedA);
            }
            else
            {
                Sgemm.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace!, epilogue, packedA);
            }
        }
    }
}
