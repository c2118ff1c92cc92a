using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Single-precision GEMM, row-major: C = alpha * op(A) * op(B) + beta * C.
/// <para>
/// Goto-style blocking: a KC x NC block of B is packed into column panels that stay in L2/L3, an
/// MC x KC block of A (times alpha) into row panels that stay in L2, and
/// <see cref="MicroKernel"/> multiplies one A panel by one B panel from L1. Ragged edges are
/// packed with zeros and written back through a small tile on the stack.
/// </para>
/// <para>
/// Threads split C into strips of whole panels. Every element is summed in the same order
/// whatever the thread count, so results do not depend on it. Packing uses only a workspace's
/// <see cref="CpuWorkspace.PackedA"/> and <see cref="CpuWorkspace.PackedB"/>.
/// </para>
/// </summary>
internal static unsafe class Sgemm
{
    private const int Mr = MicroKernel.Rows;

    // At most KC * NR * 4 bytes = 40 KiB for a 512-bit B panel: it stays in the 48 KiB L1 while
    // the A block streams past it. MC * KC * 4 = 150 KiB of A stays in L2 (1 MiB per core).
    // The depth is split into equal blocks, so that k = 288 (a 3x3 convolution over 32
    // channels) is one block rather than 256 + 32, which would read and write C twice.
    private const int Kc = 320;
    private const int Mc = 20 * Mr;
    private const int Nc = 2048;

    // Below this many multiply-adds, starting threads costs more than it saves.
    private const long ParallelThreshold = 1 << 18;

    /// <summary>Whether the 512-bit kernel runs; otherwise the 256-bit one does.</summary>
    public static bool Uses512Bits => Vector512.IsHardwareAccelerated;

    /// <summary>Columns per micro-tile: two vectors.</summary>
    public static int PanelColumns => Uses512Bits ? 2 * Vector512<float>.Count : 2 * Vector256<float>.Count;

    /// <summary>The product on the calling thread, with <paramref name="workspace"/>'s packing buffers.</summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
        CpuWorkspace workspace, GemmEpilogue epilogue = default, PackedOperand packedA = default)
    {
        if (UsesDotProducts(transposeA, transposeB, m, n, k, epilogue))
        {
            DotProductGemm.Multiply(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool: null);
        }
        else if (m > 0 && n > 0)
        {
            MultiplyStrip(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workspace, epilogue, packedA);
        }
    }

    /// <summary>
    /// Packs op(A) times alpha, m x k, into <paramref name="buffer"/> as the products with this m and k would pack it
    /// block by block, for products that pass it as their packedA (with the same transposeA and alpha, which it holds).
    /// </summary>
    public static PackedOperand Pack(bool transposeA, int m, int k, float alpha, float* a, int lda, NativeBuffer buffer)
    {
        var paddedRows = (m + Mr - 1) / Mr * Mr;
        var packed = buffer.Get((long)paddedRows * k);
        var depth = BlockDepth(k);
        for (var pc = 0; pc < k; pc += depth)
        {
            PackA(transposeA, a, lda, 0, pc, m, Math.Min(depth, k - pc), alpha, packed + (long)pc * paddedRows);
        }

        return new PackedOperand(packed, paddedRows);
    }

    /// <summary>
    /// The product on the pool's threads: C is cut into strips of whole panels along its longer
    /// side (two per thread, so a descheduled thread holds up little), each computed like the
    /// single-threaded product.
    /// </summary>
    public static void Multiply(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc,
        WorkerPool pool, GemmEpilogue epilogue = default, PackedOperand packedA = default)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (UsesDotProducts(transposeA, transposeB, m, n, k, epilogue))
        {
            DotProductGemm.Multiply(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool);
            return;
        }

        if (pool.Threads == 1 || (long)m * n * k < ParallelThreshold)
        {
            MultiplyStrip(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, pool.Main, epilogue, packedA);
            return;
        }

        var nr = PanelColumns;
        var splitColumns = (n + nr - 1) / nr >= (m + Mr - 1) / Mr;
        var unit = splitColumns ? nr : Mr;
        var units = ((splitColumns ? n : m) + unit - 1) / unit;
        var parts = Math.Min(2 * pool.Threads, units);
        var (pa, pb, pc) = ((nint)a, (nint)b, (nint)c);
        pool.ForEach(parts, (part, workspace) =>
        {
            var (first, last) = WorkerPool.Slice(units, parts, part);
            var start = first * unit;
            var end = Math.Min(last * unit, splitColumns ? n : m);
            if (start >= end)
            {
                return;
            }

            if (splitColumns)
            {
                var bOffset = transposeB ? (long)start * ldb : start;
                MultiplyStrip(transposeA, transposeB, m, end - start, k, alpha, (float*)pa, lda,
                    (float*)pb + bOffset, ldb, beta, (float*)pc + start, ldc, workspace, epilogue, packedA);
            }
            else
            {
                var aOffset = transposeA ? start : (long)start * lda;
                MultiplyStrip(transposeA, transposeB, end - start, n, k, alpha, (float*)pa + aOffset, lda,
                    (float*)pb, ldb, beta, (float*)pc + (long)start * ldc, ldc, workspace, epilogue.FromRow(start), packedA.FromRow(start));
            }
        });
    }

    /// <summary>
    /// A * B^T reads both operands along contiguous rows (<see cref="DotProductGemm"/>). That wins
    /// when one side is thin (at most 32 rows), so that transposing B into panels would not be
    /// repaid, and the depth is long enough (256+) to hide the horizontal sums. Measured on Zen 5:
    /// 32x288x1024 70 vs 38 GFLOP/s, 100x27x4096 67 vs 10; 64x576x256 47 vs 58, 200x900x1024 65 vs 80.
    /// </summary>
    private static bool UsesDotProducts(bool transposeA, bool transposeB, int m, int n, int k, GemmEpilogue epilogue) =>
        !transposeA && transposeB && epilogue.RowBias == null && !epilogue.Relu && k >= 256 && Math.Min(m, n) <= 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyStrip(
        bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc, CpuWorkspace workspace, GemmEpilogue epilogue,
        PackedOperand packedA)
    {
        ScaleC(m, n, beta, c, ldc);
        if (k == 0 || alpha == 0f)
        {
            for (var i = 0; i < m; i++)
            {
                ApplyEpilogue(c + (long)i * ldc, n, epilogue.FromRow(i));
            }

            return;
        }

        var nr = PanelColumns;
        var aBuffer = packedA.IsEmpty ? workspace.PackedA.Get((long)Mc * Kc) : null;
        var packedB = workspace.PackedB.Get((long)Kc * (Nc + nr));
        var depth = BlockDepth(k);
        for (var jc = 0; jc < n; jc += Nc)
        {
            var nc = Math.Min(Nc, n - jc);
            for (var pc = 0; pc < k; pc += depth)
            {
                var kc = Math.Min(depth, k - pc);
                PackB(transposeB, b, ldb, pc, jc, kc, nc, nr, packedB);
                for (var ic = 0; ic < m; ic += Mc)
                {
                    var mc = Math.Min(Mc, m - ic);
                    var aBlock = aBuffer;
                    if (packedA.IsEmpty)
                    {
                        PackA(transposeA, a, lda, ic, pc, mc, kc, alpha, aBuffer);
                    }
                    else
                    {
                        aBlock = packedA.Block(pc, ic, kc);
                    }

                    var last = pc + kc == k;
                    MultiplyBlock(mc, nc, kc, aBlock, packedB, c + (long)ic * ldc + jc, ldc, nr, last ? epilogue.FromRow(ic) : GemmEpilogue.None);
                }
            }
        }
    }

    /// <summary>The depth is split into equal blocks of at most <see cref="Kc"/>.</summary>
    private static int BlockDepth(int k)
    {
        var blocks = Math.Max(1, (k + Kc - 1) / Kc);
        return Math.Max(1, (k + blocks - 1) / blocks);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        if (beta == 1f)
        {
            return;
        }

        for (var i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f)
            {
                // Clear rather than multiply, so NaN or garbage in C cannot leak through.
                row.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlock(int mc, int nc, int kc, float* packedA, float* packedB, float* c, int ldc, int nr, GemmEpilogue epilogue)
    {
        for (var jr = 0; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            var bPanel = packedB + (long)jr * kc;
            for (var ir = 0; ir < mc; ir += Mr)
            {
                var rows = Math.Min(Mr, mc - ir);
                var aPanel = packedA + (long)ir * kc;
                var target = c + (long)ir * ldc + jr;
                if (rows == Mr && columns == nr)
                {
                    Kernel(kc, aPanel, bPanel, target, ldc, epilogue.FromRow(ir));
                }
                else
                {
                    EdgeTile(kc, aPanel, bPanel, target, ldc, rows, columns, nr, epilogue.FromRow(ir));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int kc, float* a, float* b, float* c, int ldc, in GemmEpilogue epilogue)
    {
        if (Uses512Bits)
        {
            MicroKernel.Accumulate<Lane512, Vector512<float>>(kc, a, b, c, ldc, epilogue);
        }
        else
        {
            MicroKernel.Accumulate<Lane256, Vector256<float>>(kc, a, b, c, ldc, epilogue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private static void EdgeTile(int kc, float* a, float* b, float* c, int ldc, int rows, int columns, int nr, GemmEpilogue epilogue)
    {
        var tile = stackalloc float[Mr * nr];
        new Span<float>(tile, Mr * nr).Clear();
        Kernel(kc, a, b, tile, nr, GemmEpilogue.None);
        for (var i = 0; i < rows; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, columns);
            TensorPrimitives.Add(row, new ReadOnlySpan<float>(tile + i * nr, columns), row);
            ApplyEpilogue(c + (long)i * ldc, columns, epilogue.FromRow(i));
        }
    }

    /// <summary>The epilogue of one row, outside the micro-kernel (ragged tiles, empty products).</summary>
    private static void ApplyEpilogue(float* row, int columns, GemmEpilogue epilogue)
    {
        var values = new Span<float>(row, columns);
        if (epilogue.RowBias != null)
        {
            TensorPrimitives.Add(values, *epilogue.RowBias, values);
        }

        if (epilogue.Relu)
        {
            Activations.Relu(values, values);
        }
    }

    /// <summary>Packs op(A)[ic.., pc..] times alpha into panels of Mr rows, k-major, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(bool transposeA, float* a, int lda, int ic, int pc, int mc, int kc, float alpha, float* packed)
    {
        for (var ir = 0; ir < mc; ir += Mr)
        {
            var rows = Math.Min(Mr, mc - ir);
            var panel = packed + (long)ir * kc;
            if (rows < Mr)
            {
                new Span<float>(panel, kc * Mr).Clear();
            }

            if (transposeA)
            {
                // op(A) rows are columns of A: a panel's rows are adjacent in memory for each k.
                var source = a + (long)pc * lda + ic + ir;
                for (var p = 0; p < kc; p++)
                {
                    for (var i = 0; i < rows; i++)
                    {
                        panel[p * Mr + i] = alpha * source[(long)p * lda + i];
                    }
                }
            }
            else if (rows == Mr)
            {
                TransposingPack.PackRowsOfA(a + (long)(ic + ir) * lda + pc, lda, kc, alpha, panel);
            }
            else
            {
                for (var i = 0; i < rows; i++)
                {
                    var source = a + (long)(ic + ir + i) * lda + pc;
                    for (var p = 0; p < kc; p++)
                    {
                        panel[p * Mr + i] = alpha * source[p];
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc.., jc..] into panels of nr columns, k-major, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(bool transposeB, float* b, int ldb, int pc, int jc, int kc, int nc, int nr, float* packed)
    {
        if (transposeB)
        {
            TransposingPack.PackB(b, ldb, pc, jc, kc, nc, nr, packed);
            return;
        }

        for (var jr = 0; jr < nc; jr += nr)
        {
            var columns = Math.Min(nr, nc - jr);
            var panel = packed + (long)jr * kc;
            for (var p = 0; p < kc; p++)
            {
                var source = new ReadOnlySpan<float>(b + (long)(pc + p) * ldb + jc + jr, columns);
                var target = new Span<float>(panel + p * nr, nr);
                source.CopyTo(target);
                target[columns..].Clear();
            }
        }
    }
}
