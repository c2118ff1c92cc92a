using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// The register-blocked inner loop of <see cref="Sgemm"/>: a tile of <see cref="Rows"/> rows by
/// two vectors of columns, accumulated over packed panels with one FMA per register per step.
/// Six rows keep 12 accumulators plus 3 operands inside the 16 registers AVX2 has, and leave
/// AVX-512 enough headroom that the JIT never spills.
/// </summary>
internal static unsafe class MicroKernel
{
    public const int Rows = 6;

    /// <summary>
    /// c[i, j] += sum over p of a[p * Rows + i] * b[p * 2W + j], for i &lt; Rows and j &lt; 2W,
    /// where W is the lane width. With an <paramref name="epilogue"/> (the last depth block of a
    /// product) the tile then gets its row's bias and an optional ReLU while it is in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate<TLane, TVector>(int depth, float* a, float* b, float* c, int ldc, in GemmEpilogue epilogue)
        where TLane : struct, ISimdLane<TVector>
        where TVector : struct
    {
        var width = TLane.Width;
        TVector c00 = TLane.Zero, c01 = TLane.Zero, c10 = TLane.Zero, c11 = TLane.Zero;
        TVector c20 = TLane.Zero, c21 = TLane.Zero, c30 = TLane.Zero, c31 = TLane.Zero;
        TVector c40 = TLane.Zero, c41 = TLane.Zero, c50 = TLane.Zero, c51 = TLane.Zero;
        for (var p = 0; p < depth; p++)
        {
            var b0 = TLane.Load(b);
            var b1 = TLane.Load(b + width);
            var a0 = TLane.Broadcast(a[0]);
            c00 = TLane.MultiplyAdd(a0, b0, c00);
            c01 = TLane.MultiplyAdd(a0, b1, c01);
            var a1 = TLane.Broadcast(a[1]);
            c10 = TLane.MultiplyAdd(a1, b0, c10);
            c11 = TLane.MultiplyAdd(a1, b1, c11);
            var a2 = TLane.Broadcast(a[2]);
            c20 = TLane.MultiplyAdd(a2, b0, c20);
            c21 = TLane.MultiplyAdd(a2, b1, c21);
            var a3 = TLane.Broadcast(a[3]);
            c30 = TLane.MultiplyAdd(a3, b0, c30);
            c31 = TLane.MultiplyAdd(a3, b1, c31);
            var a4 = TLane.Broadcast(a[4]);
            c40 = TLane.MultiplyAdd(a4, b0, c40);
            c41 = TLane.MultiplyAdd(a4, b1, c41);
            var a5 = TLane.Broadcast(a[5]);
            c50 = TLane.MultiplyAdd(a5, b0, c50);
            c51 = TLane.MultiplyAdd(a5, b1, c51);
            a += Rows;
            b += 2 * width;
        }

        var relu = epilogue.Relu;
        var bias = epilogue.RowBias;
        TLane.Finish(c, c00, bias == null ? 0f : bias[0], relu);
        TLane.Finish(c + width, c01, bias == null ? 0f : bias[0], relu);
        c += ldc;
        TLane.Finish(c, c10, bias == null ? 0f : bias[1], relu);
        TLane.Finish(c + width, c11, bias == null ? 0f : bias[1], relu);
        c += ldc;
        TLane.Finish(c, c20, bias == null ? 0f : bias[2], relu);
        TLane.Finish(c + width, c21, bias == null ? 0f : bias[2], relu);
        c += ldc;
        TLane.Finish(c, c30, bias == null ? 0f : bias[3], relu);
        TLane.Finish(c + width, c31, bias == null ? 0f : bias[3], relu);
        c += ldc;
        TLane.Finish(c, c40, bias == null ? 0f : bias[4], relu);
        TLane.Finish(c + width, c41, bias == null ? 0f : bias[4], relu);
        c += ldc;
        TLane.Finish(c, c50, bias == null ? 0f : bias[5], relu);
        TLane.Finish(c + width, c51, bias == null ? 0f : bias[5], relu);
    }
}
