using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// The packings of <see cref="Sgemm"/> that transpose: rows of the source, contiguous along k, become k-major panels
/// that take one value from each row per k. The filter gradient packs both of its operands this way (the output
/// gradient as A, the unfolded images as B^T), and element by element they were the largest packing cost of a step.
/// <para>
/// Whole 8 x 8 blocks are transposed in AVX registers (8 loads, 24 shuffles, 8 stores instead of 64 scalar loads
/// and stores); ragged edges, and machines without AVX, copy element by element.
/// </para>
/// </summary>
internal static unsafe class TransposingPack
{
    private const int Block = 16;
    private const int Tile = 8;

    /// <summary>
    /// Packs B[jc.., pc..]^T, kc deep and nc wide, into panels of nr columns, zero-padded. Blocks of 16 k go together
    /// so that each source row contributes one whole cache line, and the 16 x nr corner being written stays in L1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* b, int ldb, int pc, int jc, int kc, int nc, int nr, float* packed)
    {
        for (var jr = 0; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            var wholeColumns = Avx.IsSupported ? columns / Tile * Tile : 0;
            var panel = packed + (long)jr * kc;
            var rows = b + (long)(jc + jr) * ldb + pc;
            for (var p0 = 0; p0 < kc; p0 += Block)
            {
                var depth = Math.Min(Block, kc - p0);
                var wholeDepth = depth / Tile * Tile;
                var corner = panel + p0 * nr;
                for (var j = 0; j < wholeColumns; j += Tile)
                {
                    for (var q = 0; q < wholeDepth; q += Tile)
                    {
                        Transpose8x8(rows + (long)j * ldb + p0 + q, ldb, corner + q * nr + j, nr);
                    }

                    CopyColumns(rows + p0, ldb, corner, nr, j, j + Tile, wholeDepth, depth);
                }

                CopyColumns(rows + p0, ldb, corner, nr, wholeColumns, columns, 0, depth);
                for (var q = 0; q < depth; q++)
                {
                    new Span<float>(corner + q * nr + columns, nr - columns).Clear();
                }
            }
        }
    }

    /// <summary>
    /// Packs <see cref="MicroKernel.Rows"/> whole rows of A (from <paramref name="source"/>, lda apart), kc deep and
    /// times alpha, into one panel: panel[p * Rows + i] = alpha * row i[p].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRowsOfA(float* source, int lda, int kc, float alpha, float* panel)
    {
        const int Rows = MicroKernel.Rows;
        var whole = Avx.IsSupported ? kc / Tile * Tile : 0;
        var scale = Vector256.Create(alpha);
        for (var p = 0; p < whole; p += Tile)
        {
            var row = source + p;
            var (r0, r1, r2, r3) = (Avx.LoadVector256(row), Avx.LoadVector256(row + lda),
                Avx.LoadVector256(row + 2L * lda), Avx.LoadVector256(row + 3L * lda));
            var (r4, r5, r6, r7) = (Avx.LoadVector256(row + 4L * lda), Avx.LoadVector256(row + 5L * lda),
                Vector256<float>.Zero, Vector256<float>.Zero);
            Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);

            // Each transposed row holds one depth's six values and two zeros. A store of eight spills the zeros into
            // the next depth's first two places, which the next store overwrites, so only the last store is narrowed.
            var target = panel + p * Rows;
            Avx.Store(target, r0 * scale);
            Avx.Store(target + Rows, r1 * scale);
            Avx.Store(target + 2 * Rows, r2 * scale);
            Avx.Store(target + 3 * Rows, r3 * scale);
            Avx.Store(target + 4 * Rows, r4 * scale);
            Avx.Store(target + 5 * Rows, r5 * scale);
            Avx.Store(target + 6 * Rows, r6 * scale);
            var last = r7 * scale;
            last.GetLower().Store(target + 7 * Rows);
            target[7 * Rows + 4] = last.GetElement(4);
            target[7 * Rows + 5] = last.GetElement(5);
        }

        for (var i = 0; i < Rows; i++)
        {
            var row = source + (long)i * lda;
            for (var p = whole; p < kc; p++)
            {
                panel[p * Rows + i] = alpha * row[p];
            }
        }
    }

    /// <summary>target[q * nr + j] = source[j * ldb + q] for columns j in [firstColumn, endColumn) and depths q in [firstDepth, endDepth).</summary>
    private static void CopyColumns(float* source, int ldb, float* target, int nr, int firstColumn, int endColumn, int firstDepth, int endDepth)
    {
        for (var j = firstColumn; j < endColumn; j++)
        {
            var row = source + (long)j * ldb;
            for (var q = firstDepth; q < endDepth; q++)
            {
                target[q * nr + j] = row[q];
            }
        }
    }

    /// <summary>target[q * stride + j] = source[j * ldb + q] for j, q &lt; 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, int ldb, float* target, int stride)
    {
        var (r0, r1, r2, r3) = (Avx.LoadVector256(source), Avx.LoadVector256(source + ldb),
            Avx.LoadVector256(source + 2L * ldb), Avx.LoadVector256(source + 3L * ldb));
        var (r4, r5, r6, r7) = (Avx.LoadVector256(source + 4L * ldb), Avx.LoadVector256(source + 5L * ldb),
            Avx.LoadVector256(source + 6L * ldb), Avx.LoadVector256(source + 7L * ldb));
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(target, r0);
        Avx.Store(target + stride, r1);
        Avx.Store(target + 2 * stride, r2);
        Avx.Store(target + 3 * stride, r3);
        Avx.Store(target + 4 * stride, r4);
        Avx.Store(target + 5 * stride, r5);
        Avx.Store(target + 6 * stride, r6);
        Avx.Store(target + 7 * stride, r7);
    }

    /// <summary>Transposes the 8 x 8 matrix whose rows are r0..r7, in place: afterwards r[q][j] is the old r[j][q]. Needs AVX.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        // Pairs of rows interleaved: per 128-bit half, (a0 b0 a1 b1) and (a2 b2 a3 b3).
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        // Four rows at one depth per 128-bit half: depth q in the low half, q + 4 in the high one.
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);

        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
