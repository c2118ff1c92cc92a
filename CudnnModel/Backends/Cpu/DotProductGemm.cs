using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// C = alpha * A * B^T + beta * C with A [m x k] and B [n x k] row-major: every element of C is a
/// dot product of two contiguous rows, so nothing needs packing. This shape is a convolution's
/// filter gradient (dy times the im2col rows) and a dense layer's forward pass; the packed
/// kernel would first have to transpose B, which cost more than the multiply-adds.
/// <para>
/// Tiles of 4 rows of A by 3 rows of B keep 12 vector accumulators; depth is blocked so that the
/// 3 B rows stay in L1 while the A rows of a block come from L2. Each C element is summed in
/// the same order whatever the thread count.
/// </para>
/// </summary>
internal static unsafe class DotProductGemm
{
    private const int TileA = 4;
    private const int TileB = 3;

    // 1024 floats = 4 KiB per row: 3 B rows use 12 KiB of L1, 64 A rows 256 KiB of L2.
    private const int DepthBlock = 1024;

    // Tiles of B rows handed to a thread at a time.
    private const int StripTiles = 8;

    public static void Multiply(int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
        WorkerPool? pool)
    {
        var tiles = (n + TileB - 1) / TileB;
        var strips = (tiles + StripTiles - 1) / StripTiles;
        var (pa, pb, pc) = ((nint)a, (nint)b, (nint)c);
        void Strip(int strip)
        {
            var first = strip * StripTiles * TileB;
            var end = Math.Min(n, first + StripTiles * TileB);
            MultiplyColumns((float*)pa, lda, (float*)pb, ldb, (float*)pc, ldc, m, first, end, k, alpha, beta);
        }

        if (pool is null || (long)m * n * k < 1 << 18)
        {
            for (var strip = 0; strip < strips; strip++)
            {
                Strip(strip);
            }

            return;
        }

        pool.ForEach(strips, Strip);
    }

    /// <summary>Columns [first, end) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyColumns(float* a, int lda, float* b, int ldb, float* c, int ldc, int m, int first, int end, int k, float alpha, float beta)
    {
        for (var i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc + first, end - first);
            if (beta == 0f)
            {
                row.Clear();
            }
            else if (beta != 1f)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }

        Span<float> sums = stackalloc float[TileA * TileB];
        for (var p0 = 0; p0 < k; p0 += DepthBlock)
        {
            var depth = Math.Min(DepthBlock, k - p0);
            for (var j = first; j < end; j += TileB)
            {
                var columns = Math.Min(TileB, end - j);
                for (var i = 0; i < m; i += TileA)
                {
                    var rows = Math.Min(TileA, m - i);
                    var aTile = a + (long)i * lda + p0;
                    var bTile = b + (long)j * ldb + p0;
                    if (rows == TileA && columns == TileB)
                    {
                        if (Vector512.IsHardwareAccelerated)
                        {
                            Tile<Lane512, Vector512<float>>(aTile, lda, bTile, ldb, depth, sums);
                        }
                        else
                        {
                            Tile<Lane256, Vector256<float>>(aTile, lda, bTile, ldb, depth, sums);
                        }
                    }
                    else
                    {
                        EdgeTile(aTile, lda, bTile, ldb, depth, rows, columns, sums);
                    }

                    for (var r = 0; r < rows; r++)
                    {
                        for (var s = 0; s < columns; s++)
                        {
                            c[(long)(i + r) * ldc + j + s] += alpha * sums[r * TileB + s];
                        }
                    }
                }
            }
        }
    }

    /// <summary>sums[r * 3 + s] = dot(a row r, b row s) over <paramref name="depth"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TLane, TVector>(float* a, int lda, float* b, int ldb, int depth, Span<float> sums)
        where TLane : struct, ISimdLane<TVector>
        where TVector : struct
    {
        var width = TLane.Width;
        float* a0 = a, a1 = a + lda, a2 = a + 2L * lda, a3 = a + 3L * lda;
        float* b0 = b, b1 = b + ldb, b2 = b + 2L * ldb;
        TVector s00 = TLane.Zero, s01 = TLane.Zero, s02 = TLane.Zero, s10 = TLane.Zero, s11 = TLane.Zero, s12 = TLane.Zero;
        TVector s20 = TLane.Zero, s21 = TLane.Zero, s22 = TLane.Zero, s30 = TLane.Zero, s31 = TLane.Zero, s32 = TLane.Zero;
        var p = 0;
        for (; p <= depth - width; p += width)
        {
            var v0 = TLane.Load(b0 + p);
            var v1 = TLane.Load(b1 + p);
            var v2 = TLane.Load(b2 + p);
            var u = TLane.Load(a0 + p);
            s00 = TLane.MultiplyAdd(u, v0, s00);
            s01 = TLane.MultiplyAdd(u, v1, s01);
            s02 = TLane.MultiplyAdd(u, v2, s02);
            u = TLane.Load(a1 + p);
            s10 = TLane.MultiplyAdd(u, v0, s10);
            s11 = TLane.MultiplyAdd(u, v1, s11);
            s12 = TLane.MultiplyAdd(u, v2, s12);
            u = TLane.Load(a2 + p);
            s20 = TLane.MultiplyAdd(u, v0, s20);
            s21 = TLane.MultiplyAdd(u, v1, s21);
            s22 = TLane.MultiplyAdd(u, v2, s22);
            u = TLane.Load(a3 + p);
            s30 = TLane.MultiplyAdd(u, v0, s30);
            s31 = TLane.MultiplyAdd(u, v1, s31);
            s32 = TLane.MultiplyAdd(u, v2, s32);
        }

        sums[0] = TLane.Sum(s00);
        sums[1] = TLane.Sum(s01);
        sums[2] = TLane.Sum(s02);
        sums[3] = TLane.Sum(s10);
        sums[4] = TLane.Sum(s11);
        sums[5] = TLane.Sum(s12);
        sums[6] = TLane.Sum(s20);
        sums[7] = TLane.Sum(s21);
        sums[8] = TLane.Sum(s22);
        sums[9] = TLane.Sum(s30);
        sums[10] = TLane.Sum(s31);
        sums[11] = TLane.Sum(s32);
        for (; p < depth; p++)
        {
            for (var r = 0; r < TileA; r++)
            {
                for (var s = 0; s < TileB; s++)
                {
                    sums[r * TileB + s] += a[(long)r * lda + p] * b[(long)s * ldb + p];
                }
            }
        }
    }

    private static void EdgeTile(float* a, int lda, float* b, int ldb, int depth, int rows, int columns, Span<float> sums)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var s = 0; s < columns; s++)
            {
                sums[r * TileB + s] = TensorPrimitives.Dot(new ReadOnlySpan<float>(a + (long)r * lda, depth), new ReadOnlySpan<float>(b + (long)s * ldb, depth));
            }
        }
    }
}
