using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: the one status check. Every status that the handles get from layer 2
/// (<see cref="CudaApi"/>, <see cref="CudnnApi"/>, <see cref="CublasApi"/>, <see cref="NvrtcApi"/>)
/// goes through <see cref="ThrowIfFailed(CuResult, string)"/> or one of its overloads, which build
/// the message from <c>call</c> and the library's own error strings (static storage, read, never
/// freed). <c>call</c> names the C function, as layer 1 binds it, with any detail after it: a name
/// that a user can search for, which the layer 2 method's would not be.
/// </summary>
internal static class GpuStatus
{
    public static void ThrowIfFailed(CuResult status, string call)
    {
        if (status != CuResult.Success)
        {
            ThrowCuda(status, call);
        }
    }

    public static void ThrowIfFailed(CudnnStatus status, string call)
    {
        if (status != CudnnStatus.Success)
        {
            ThrowCudnn(status, call);
        }
    }

    public static void ThrowIfFailed(CublasStatus status, string call)
    {
        if (status != CublasStatus.Success)
        {
            ThrowCublas(status, call);
        }
    }

    public static void ThrowIfFailed(NvrtcResult status, string call)
    {
        if (status != NvrtcResult.Success)
        {
            throw new NvrtcException((int)status, Describe(call, status.ToString(), (int)status, Text(NvrtcApi.GetErrorString(status))));
        }
    }

    /// <summary>The name and explanation of a driver status, e.g. "CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected".</summary>
    public static string Explain(CuResult status)
    {
        var named = CudaApi.GetErrorName(status, out var name) == CuResult.Success;
        var explained = CudaApi.GetErrorString(status, out var text) == CuResult.Success;
        return $"{(named ? Text(name) : status.ToString())}: {(explained ? Text(text) : "unknown error")}";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCuda(CuResult status, string call) =>
        throw new CudaException((int)status, $"{call} failed with {(int)status} ({Explain(status)}).");

    /// <summary>cuDNN's text for a status, followed by what <c>cudnnGetLastErrorString</c> adds about the last failure, where it says anything.</summary>
    public static string Explain(CudnnStatus status)
    {
        var last = CudnnApi.GetLastErrorString();
        var text = Text(CudnnApi.GetErrorString(status));
        return last.Length > 0 ? $"{text}; {last}" : text;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCudnn(CudnnStatus status, string call) =>
        throw new CudnnException((int)status, Describe(call, status.ToString(), (int)status, Explain(status)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCublas(CublasStatus status, string call) =>
        throw new CublasException((int)status, Describe(call, status.ToString(), (int)status, Text(CublasApi.GetStatusString(status))));

    private static string Describe(string call, string name, int code, string text) => $"{call} failed with {name} ({code}): {text}.";

    private static string Text(string? libraryText) => libraryText ?? "(no text)";
}
