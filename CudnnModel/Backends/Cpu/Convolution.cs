using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Stride-1 convolution as im2col + <see cref="Sgemm"/>, over groups of images.
/// <para>
/// A group unfolds several images side by side so that layers with tiny planes (2x2 at the end of
/// deep6) still give the GEMM hundreds of columns. When there are at least as many groups as
/// workers, each worker takes a contiguous run of groups and runs single-threaded GEMMs;
/// otherwise the groups run one after another and each GEMM uses every worker. The filter
/// gradient is summed per worker and then across workers in worker order, so it is
/// reproducible for a given thread count.
/// </para>
/// </summary>
internal static unsafe class Convolution
{
    // Enough output columns for a few full 32-wide B panels per GEMM.
    private const int MinimumGroupColumns = 256;

    /// <summary>y = conv(x, w), then the epilogue's bias per output channel and ReLU.</summary>
    public static void Forward(float* x, float* w, float* y, int batch, int outChannels, ConvolutionGeometry g, CpuWorkspace[] workspaces,
        GemmEpilogue epilogue)
    {
        var (px, pw, py) = ((nint)x, (nint)w, (nint)y);
        var plane = g.OutputPlane;
        ForEachGroup(batch, g, workspaces, (group, first, count, workspace, gemmWorkspaces) =>
        {
            var columns = count * plane;
            var col = Unfold((float*)px, first, count, g, workspace);
            var direct = count == 1;
            var target = direct ? (float*)py + (long)first * outChannels * plane : workspace.Staging.Get((long)outChannels * columns);
            Sgemm.Multiply(false, false, outChannels, columns, g.ColumnRows, 1f, (float*)pw, g.ColumnRows,
                col, columns, 0f, target, columns, gemmWorkspaces, epilogue);
            if (!direct)
            {
                Scatter(target, (float*)py, first, count, outChannels, plane);
            }
        });
    }

    public static void BackwardData(float* dy, float* w, float* dx, int batch, int outChannels, ConvolutionGeometry g, CpuWorkspace[] workspaces)
    {
        var (pdy, pw, pdx) = ((nint)dy, (nint)w, (nint)dx);
        var plane = g.OutputPlane;
        var imageSize = (long)g.Channels * g.Height * g.Width;
        ForEachGroup(batch, g, workspaces, (group, first, count, workspace, gemmWorkspaces) =>
        {
            var columns = count * plane;
            var gradient = Gather((float*)pdy, first, count, outChannels, plane, workspace);
            var col = workspace.Columns.Get((long)g.ColumnRows * columns);
            Sgemm.Multiply(true, false, g.ColumnRows, columns, outChannels, 1f, (float*)pw, g.ColumnRows,
                gradient, columns, 0f, col, columns, gemmWorkspaces);
            for (var i = 0; i < count; i++)
            {
                var image = (float*)pdx + (first + i) * imageSize;
                new Span<float>(image, (int)imageSize).Clear();
                g.FoldAdd(col, columns, i * plane, image);
            }
        });
    }

    public static void BackwardFilter(float* x, float* dy, float* dw, int batch, int outChannels, ConvolutionGeometry g, CpuWorkspace[] workspaces)
    {
        var (px, pdy, pdw) = ((nint)x, (nint)dy, (nint)dw);
        var plane = g.OutputPlane;
        var size = (long)outChannels * g.ColumnRows;
        var perWorker = UsesWorkerGroups(batch, g, workspaces.Length);
        var firstGroupOfWorker = new int[workspaces.Length];
        if (perWorker)
        {
            var groups = GroupCount(batch, g);
            for (var t = 0; t < workspaces.Length; t++)
            {
                firstGroupOfWorker[t] = Workers.Slice(groups, workspaces.Length, t).Start;
            }
        }

        ForEachGroup(batch, g, workspaces, (group, first, count, workspace, gemmWorkspaces) =>
        {
            var columns = count * plane;
            var col = Unfold((float*)px, first, count, g, workspace);
            var gradient = Gather((float*)pdy, first, count, outChannels, plane, workspace);
            var worker = Array.IndexOf(workspaces, workspace);
            var target = perWorker ? workspace.Partial.Get(size) : (float*)pdw;
            var beta = group == (perWorker ? firstGroupOfWorker[worker] : 0) ? 0f : 1f;
            Sgemm.Multiply(false, true, outChannels, g.ColumnRows, columns, 1f, gradient, columns,
                col, columns, beta, target, g.ColumnRows, gemmWorkspaces);
        });

        if (perWorker)
        {
            var total = new Span<float>(dw, (int)size);
            new ReadOnlySpan<float>(workspaces[0].Partial.Get(size), (int)size).CopyTo(total);
            for (var t = 1; t < workspaces.Length; t++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(total, new ReadOnlySpan<float>(workspaces[t].Partial.Get(size), (int)size), total);
            }
        }
    }

    private delegate void GroupBody(int group, int first, int count, CpuWorkspace workspace, CpuWorkspace[] gemmWorkspaces);

    private static int GroupSize(int batch, ConvolutionGeometry g) =>
        Math.Clamp((MinimumGroupColumns + g.OutputPlane - 1) / g.OutputPlane, 1, batch);

    private static int GroupCount(int batch, ConvolutionGeometry g)
    {
        var size = GroupSize(batch, g);
        return (batch + size - 1) / size;
    }

    private static bool UsesWorkerGroups(int batch, ConvolutionGeometry g, int workers) =>
        workers > 1 && GroupCount(batch, g) >= workers;

    private static void ForEachGroup(int batch, ConvolutionGeometry g, CpuWorkspace[] workspaces, GroupBody body)
    {
        var size = GroupSize(batch, g);
        var groups = GroupCount(batch, g);
        void RunGroup(int group, CpuWorkspace workspace, CpuWorkspace[] gemmWorkspaces)
        {
            var first = group * size;
            body(group, first, Math.Min(size, batch - first), workspace, gemmWorkspaces);
        }

        if (UsesWorkerGroups(batch, g, workspaces.Length))
        {
            Workers.ForRange(groups, workspaces.Length, (worker, start, end) =>
            {
                var own = new[] { workspaces[worker] };
                for (var group = start; group < end; group++)
                {
                    RunGroup(group, workspaces[worker], own);
                }
            });
            return;
        }

        for (var group = 0; group < groups; group++)
        {
            RunGroup(group, workspaces[0], workspaces);
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
}
