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
}

/// <summary>A CUDA driver API call returned an error (<c>CUresult</c>).</summary>
public sealed class CudaException(int status, string message) : GpuLibraryException("CUDA driver", status, message);

/// <summary>A cuDNN call returned an error (<c>cudnnStatus_t</c>).</summary>
public sealed class CudnnException(int status, string message) : GpuLibraryException("cuDNN", status, message);

/// <summary>A cuBLAS call returned an error (<c>cublasStatus_t</c>).</summary>
public sealed class CublasException(int status, string message) : GpuLibraryException("cuBLAS", status, message);

/// <summary>NVRTC failed to create or compile a program (<c>nvrtcResult</c>); a compile error carries the program log.</summary>
public sealed class NvrtcException(int status, string message) : GpuLibraryException("NVRTC", status, message);
