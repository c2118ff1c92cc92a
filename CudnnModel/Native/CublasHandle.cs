using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: a cuBLAS handle bound to one stream, with TF32 tensor-core math allowed or not, and the
/// one op the backend runs on it; each status checked by <see cref="GpuStatus"/>.
/// </summary>
internal sealed class CublasHandle : SafeHandle
{
    private CublasHandle(nint value)
        : base(0, ownsHandle: true) => SetHandle(value);

    public override bool IsInvalid => handle == 0;

    public nint Value => handle;

    /// <summary>cuBLAS's version, e.g. 120604 for 12.6.4.</summary>
    public int Version
    {
        get
        {
            ThrowIfFailed(CublasApi.GetVersion(handle, out var version), "cublasGetVersion_v2");
            return version;
        }
    }

    public static CublasHandle Create(CudaStream stream, bool allowTf32)
    {
        ThrowIfFailed(CublasApi.Create(out var value), "cublasCreate_v2");
        return HandleSetup.Configured(new CublasHandle(value), created =>
        {
            ThrowIfFailed(CublasApi.SetStream(created.Value, stream.Value), "cublasSetStream_v2");
            ThrowIfFailed(CublasApi.SetMathMode(created.Value, allowTf32 ? CublasMath.Tf32TensorOp : CublasMath.Default), "cublasSetMathMode");
        });
    }

    /// <summary>Column-major C = alpha * op(A) op(B) + beta * C, with C m x n and k the inner dimension.</summary>
    public void Sgemm(CublasOperation transposeA, CublasOperation transposeB, int m, int n, int k,
        float alpha, ulong a, int lda, ulong b, int ldb, float beta, ulong c, int ldc) =>
        ThrowIfFailed(CublasApi.Sgemm(handle, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), "cublasSgemm_v2");

    protected override bool ReleaseHandle() => CublasApi.Destroy(handle) == CublasStatus.Success;
}
