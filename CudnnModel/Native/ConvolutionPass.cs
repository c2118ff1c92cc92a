using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>The three passes of a convolution; cuDNN has separate algorithms, rankings and workspace sizes for each.</summary>
internal enum ConvolutionDirection
{
    Forward,
    BackwardData,
    BackwardFilter,
}

/// <summary>
/// Layer 3: cuDNN's algorithm queries for one pass of one convolution, so that a plan ranks the
/// three passes alike. The descriptors are given in their forward roles (x, w, y); each pass hands
/// them to cuDNN in its own order (backward data: w, dy, dx; backward filter: x, dy, dw). Failures
/// throw naming the C function, but for the workspace query: a plan passes over an algorithm
/// whose workspace cuDNN declines to size, so <see cref="TryWorkspaceSize"/> returns the status.
/// </summary>
internal sealed class ConvolutionPass(CudnnHandle handle, ConvolutionDirection direction, TensorDescriptor x, FilterDescriptor w,
    ConvolutionDescriptor convolution, TensorDescriptor y)
{
    /// <summary>"forward", "backward-data" or "backward-filter", for messages.</summary>
    public string Name => direction switch
    {
        ConvolutionDirection.Forward => "forward",
        ConvolutionDirection.BackwardData => "backward-data",
        _ => "backward-filter",
    };

    /// <summary>This pass's own convolution descriptor, whose math type decides which algorithms cuDNN sizes and runs.</summary>
    public ConvolutionDescriptor Convolution => convolution;

    /// <summary>The C function that <see cref="TryWorkspaceSize"/> calls, for the caller's message when it fails.</summary>
    public string WorkspaceSizeCall => direction switch
    {
        ConvolutionDirection.Forward => "cudnnGetConvolutionForwardWorkspaceSize",
        ConvolutionDirection.BackwardData => "cudnnGetConvolutionBackwardDataWorkspaceSize",
        _ => "cudnnGetConvolutionBackwardFilterWorkspaceSize",
    };

    /// <summary>How many algorithms cuDNN has for this pass: the most a ranking returns.</summary>
    public int AlgorithmMaxCount()
    {
        int count;
        var (status, call) = direction switch
        {
            ConvolutionDirection.Forward =>
                (CudnnApi.GetConvolutionForwardAlgorithmMaxCount(handle.Value, out count), "cudnnGetConvolutionForwardAlgorithmMaxCount"),
            ConvolutionDirection.BackwardData =>
                (CudnnApi.GetConvolutionBackwardDataAlgorithmMaxCount(handle.Value, out count), "cudnnGetConvolutionBackwardDataAlgorithmMaxCount"),
            _ => (CudnnApi.GetConvolutionBackwardFilterAlgorithmMaxCount(handle.Value, out count), "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount"),
        };
        ThrowIfFailed(status, call);
        return count;
    }

    /// <summary>
    /// Fills <paramref name="results"/> with cuDNN's algorithms, best first, and returns how many it
    /// wrote: measured by running each (<c>cudnnFind*</c>) when <paramref name="timed"/>, else
    /// ranked by its heuristics (<c>cudnnGet*_v7</c>), which run nothing.
    /// </summary>
    public int RankAlgorithms(bool timed, Span<CudnnAlgorithmPerformance> results)
    {
        int returned;
        var (status, call) = (direction, timed) switch
        {
            (ConvolutionDirection.Forward, true) => (CudnnApi.FindConvolutionForwardAlgorithm(
                handle.Value, x.Value, w.Value, convolution.Value, y.Value, results, out returned), "cudnnFindConvolutionForwardAlgorithm"),
            (ConvolutionDirection.Forward, false) => (CudnnApi.GetConvolutionForwardAlgorithm(
                handle.Value, x.Value, w.Value, convolution.Value, y.Value, results, out returned), "cudnnGetConvolutionForwardAlgorithm_v7"),
            (ConvolutionDirection.BackwardData, true) => (CudnnApi.FindConvolutionBackwardDataAlgorithm(
                handle.Value, w.Value, y.Value, convolution.Value, x.Value, results, out returned), "cudnnFindConvolutionBackwardDataAlgorithm"),
            (ConvolutionDirection.BackwardData, false) => (CudnnApi.GetConvolutionBackwardDataAlgorithm(
                handle.Value, w.Value, y.Value, convolution.Value, x.Value, results, out returned), "cudnnGetConvolutionBackwardDataAlgorithm_v7"),
            (_, true) => (CudnnApi.FindConvolutionBackwardFilterAlgorithm(
                handle.Value, x.Value, y.Value, convolution.Value, w.Value, results, out returned), "cudnnFindConvolutionBackwardFilterAlgorithm"),
            (_, false) => (CudnnApi.GetConvolutionBackwardFilterAlgorithm(
                handle.Value, x.Value, y.Value, convolution.Value, w.Value, results, out returned), "cudnnGetConvolutionBackwardFilterAlgorithm_v7"),
        };
        ThrowIfFailed(status, call);
        return returned;
    }

    /// <summary>The workspace <paramref name="algorithm"/> needs with the convolution descriptor's current math type; the status unchecked.</summary>
    public CudnnStatus TryWorkspaceSize(int algorithm, out long bytes)
    {
        nuint size;
        var status = direction switch
        {
            ConvolutionDirection.Forward =>
                CudnnApi.GetConvolutionForwardWorkspaceSize(handle.Value, x.Value, w.Value, convolution.Value, y.Value, algorithm, out size),
            ConvolutionDirection.BackwardData =>
                CudnnApi.GetConvolutionBackwardDataWorkspaceSize(handle.Value, w.Value, y.Value, convolution.Value, x.Value, algorithm, out size),
            _ => CudnnApi.GetConvolutionBackwardFilterWorkspaceSize(handle.Value, x.Value, y.Value, convolution.Value, w.Value, algorithm, out size),
        };
        bytes = (long)size;
        return status;
    }
}
