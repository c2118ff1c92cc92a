using CatsDogs.Model.Native;
using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// Dense layers: one cuBLAS GEMM.
internal sealed partial class CudaBackend
{
    /// <summary>
    /// Row-major C = op(A) op(B) through column-major cuBLAS: the same memory read column-major
    /// is the transpose, so cuBLAS computes Cᵀ = op(B)ᵀ op(A)ᵀ with the operands swapped.
    /// </summary>
    public void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        var (aRows, aColumns) = (a.Shape.N, a.Shape.ItemSize);
        var (bRows, bColumns) = (b.Shape.N, b.Shape.ItemSize);
        var (m, k) = transposeA ? (aColumns, aRows) : (aRows, aColumns);
        var (kb, n) = transposeB ? (bColumns, bRows) : (bRows, bColumns);
        Require(k == kb && c.Shape.N == m && c.Shape.ItemSize == n);
        Enter();
        _cublas.Sgemm(transposeB ? CublasOperation.Transpose : CublasOperation.None, transposeA ? CublasOperation.Transpose : CublasOperation.None,
            n, m, k, alpha, Cuda(b).Address, bColumns, Cuda(a).Address, aColumns, beta, Cuda(c).Address, n);
    }
}
