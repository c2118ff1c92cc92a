namespace CatsDogs.Model.Native;

/// <summary>
/// A call into a GPU library failed. The message names the call as written in our code, the
/// status by name and number, and the library's own explanation of it.
/// </summary>
public abstract class GpuLibraryException(string library, int status, string message) : Exception(message)
{
    /// <summary>"CUDA driver", "cuDNN", "cuBLAS" or "NVRTC".</summary>
    public string Library { get; } = library;

    /// <summary>The library's status code.</summary>
    public int Status { get; } = status;

    /// <summary>
    /// The device had no memory left for what the call needed (a batch too large for it, say) rather than
    /// failing: such a status is not sticky, so the context still works once that memory is freed.
    /// </summary>
    public abstract bool IsOutOfMemory { get; }
}

/// <summary>A CUDA driver API call returned an error (<c>CUresult</c>).</summary>
public sealed class CudaException(int status, string message) : GpuLibraryException("CUDA driver", status, message)
{
    public override bool IsOutOfMemory => Status == (int)CuResult.OutOfMemory;
}

/// <summary>A cuDNN call returned an error (<c>cudnnStatus_t</c>).</summary>
public sealed class CudnnException(int status, string message) : GpuLibraryException("cuDNN", status, message)
{
    public override bool IsOutOfMemory => Status == (int)CudnnStatus.InternalErrorDeviceAllocationFailed;
}

/// <summary>A cuBLAS call returned an error (<c>cublasStatus_t</c>).</summary>
public sealed class CublasException(int status, string message) : GpuLibraryException("cuBLAS", status, message)
{
    public override bool IsOutOfMemory => Status == (int)CublasStatus.AllocFailed;
}

/// <summary>NVRTC failed to create or compile a program (<c>nvrtcResult</c>); a compile error carries the program log.</summary>
public sealed class NvrtcException(int status, string message) : GpuLibraryException("NVRTC", status, message)
{
    /// <summary>NVRTC compiles on the host: its out-of-memory is the host's, which no smaller batch helps.</summary>
    public override bool IsOutOfMemory => false;
}
