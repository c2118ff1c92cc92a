using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="CublasNative"/>: scalars by value, whose
/// address the wrapper passes (the default host pointer mode), out parameters for what cuBLAS
/// writes. Every call still returns the status; checking it is <see cref="GpuStatus"/>'s job in
/// the layer above.
/// </summary>
internal static unsafe class CublasApi
{
    public static CublasStatus Create(out nint handle)
    {
        fixed (nint* written = &handle)
        {
            return CublasNative.cublasCreate_v2(written);
        }
    }

    public static CublasStatus Destroy(nint handle) => CublasNative.cublasDestroy_v2(handle);

    public static CublasStatus GetVersion(nint handle, out int version)
    {
        fixed (int* written = &version)
        {
            return CublasNative.cublasGetVersion_v2(handle, written);
        }
    }

    public static CublasStatus SetStream(nint handle, nint stream) => CublasNative.cublasSetStream_v2(handle, stream);

    public static CublasStatus SetMathMode(nint handle, CublasMath mode) => CublasNative.cublasSetMathMode(handle, mode);

    /// <summary>Column-major C = alpha * op(A) op(B) + beta * C, with C m x n and k the inner dimension.</summary>
    public static CublasStatus Sgemm(nint handle, CublasOperation transposeA, CublasOperation transposeB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc) =>
        CublasNative.cublasSgemm_v2(handle, transposeA, transposeB, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc);

    /// <summary>cuBLAS's text for a status; null where it gave none.</summary>
    public static string? GetStatusString(CublasStatus status) => Marshal.PtrToStringUTF8(CublasNative.cublasGetStatusString(status));
}
