using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 1: cuBLAS (<c>cublas_api.h</c>), bound to the <c>_v2</c> symbols that
/// <c>cublas_v2.h</c> maps the plain names to; <c>cublasSetMathMode</c> and the status strings
/// have no <c>_v2</c>. The soname carries the CUDA major version (<c>libcublas.so.12</c> or
/// <c>.13</c>), so this logical name is bound by <see cref="Loading.CudaLibraries"/>.
/// cuBLAS is column-major; scalars are host pointers (the default pointer mode). Nothing here
/// checks a status; <see cref="CublasApi"/> (layer 2) is the only caller.
/// </summary>
internal static unsafe partial class CublasNative
{
    internal const string LibraryName = "libcublas";

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasCreate_v2(nint* handle);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasDestroy_v2(nint handle);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasGetVersion_v2(nint handle, int* version);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasSetStream_v2(nint handle, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasSetMathMode(nint handle, CublasMath mode);

    [LibraryImport(LibraryName)]
    internal static partial CublasStatus cublasSgemm_v2(nint handle, CublasOperation transposeA, CublasOperation transposeB, int m, int n, int k,
        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    /// <summary>Returns a pointer to static storage: never free it.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint cublasGetStatusString(CublasStatus status);
}

/// <summary><c>cublasStatus_t</c>.</summary>
internal enum CublasStatus
{
    Success = 0,
    NotInitialized = 1,
    AllocFailed = 3,
    InvalidValue = 7,
    ArchMismatch = 8,
    ExecutionFailed = 13,
    InternalError = 14,
    NotSupported = 15,
}

/// <summary><c>cublasOperation_t</c>.</summary>
internal enum CublasOperation
{
    None = 0,
    Transpose = 1,
}

/// <summary><c>cublasMath_t</c>: Default is strict float32 for SGEMM; Tf32TensorOp lets it use TF32 tensor cores.</summary>
internal enum CublasMath
{
    Default = 0,
    Tf32TensorOp = 3,
}
