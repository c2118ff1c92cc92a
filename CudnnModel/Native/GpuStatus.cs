using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// The one status check of layer 3: every status of every GPU library call goes through
/// <see cref="ThrowIfFailed(CuResult, string)"/> or one of its overloads, which build the
/// message from the library's own error strings (all of them static storage, read, never freed).
/// </summary>
internal static unsafe class GpuStatus
{
    public static void ThrowIfFailed(CuResult status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status != CuResult.Success)
        {
            ThrowCuda(status, expression);
        }
    }

    public static void ThrowIfFailed(CudnnStatus status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status != CudnnStatus.Success)
        {
            ThrowCudnn(status, expression);
        }
    }

    public static void ThrowIfFailed(CublasStatus status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status != CublasStatus.Success)
        {
            ThrowCublas(status, expression);
        }
    }

    public static void ThrowIfFailed(NvrtcResult status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status != NvrtcResult.Success)
        {
            throw new NvrtcException((int)status, Describe(expression, status.ToString(), (int)status, Text(NvrtcNative.nvrtcGetErrorString(status))));
        }
    }

    /// <summary>The name and explanation of a driver status, e.g. "CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected".</summary>
    public static string Explain(CuResult status)
    {
        nint name = 0;
        nint text = 0;
        var named = CudaNative.cuGetErrorName(status, &name) == CuResult.Success;
        var explained = CudaNative.cuGetErrorString(status, &text) == CuResult.Success;
        return $"{(named ? Text(name) : status.ToString())}: {(explained ? Text(text) : "unknown error")}";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCuda(CuResult status, string expression) =>
        throw new CudaException((int)status, $"{expression} failed with {(int)status} ({Explain(status)}).");

    /// <summary>cuDNN's text for a status, followed by what <c>cudnnGetLastErrorString</c> adds about the last failure, where it says anything.</summary>
    public static string Explain(CudnnStatus status)
    {
        const int Capacity = 1024;
        var detail = stackalloc byte[Capacity];
        detail[0] = 0;
        try
        {
            CudnnNative.cudnnGetLastErrorString(detail, Capacity);
        }
        catch (EntryPointNotFoundException)
        {
            // cuDNN releases before 9.0 lack it; the status string still explains the failure.
        }

        var last = Marshal.PtrToStringUTF8((nint)detail) ?? "";
        var text = Text(CudnnNative.cudnnGetErrorString(status));
        return last.Length > 0 ? $"{text}; {last}" : text;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCudnn(CudnnStatus status, string expression) =>
        throw new CudnnException((int)status, Describe(expression, status.ToString(), (int)status, Explain(status)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowCublas(CublasStatus status, string expression) =>
        throw new CublasException((int)status, Describe(expression, status.ToString(), (int)status, Text(CublasNative.cublasGetStatusString(status))));

    private static string Describe(string expression, string name, int code, string text) => $"{expression} failed with {name} ({code}): {text}.";

    private static string Text(nint pointer) => Marshal.PtrToStringUTF8(pointer) ?? "(no text)";
}
