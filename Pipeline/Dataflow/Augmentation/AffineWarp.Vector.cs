using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// The vector forms of the per-pixel loop: 8 or 16 pixels of a row at once, with the scalar loop's
/// integer arithmetic lane for lane, so the same bytes; the 512-bit loop halves the arithmetic.
/// <para>
/// Source pixels are fetched from a window: when the lanes' taps lie within 2 vectors' worth of
/// consecutive pixels of the row (a source up to about twice the tile's width), two plain loads and
/// a permute per tap pick them. Only wider steps fall back to AVX2 gathers, which Intel's
/// microcode fix for Gather Data Sampling made slow on Skylake to Ice Lake (an 8-lane gather: 8 ns
/// against 3 ns for 8 plain loads on the 2.8 GHz Ice Lake VM of docs/BENCHMARKS.md).
/// </para>
/// </summary>
internal static partial class AffineWarp
{
    internal static bool IsSupported(WarpPath path) => path switch
    {
        WarpPath.Vector512 => Vector512.IsHardwareAccelerated && Avx512BW.IsSupported && Avx2.IsSupported,
        WarpPath.Vector256 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>Renders the leading pixels of a row, a whole number of vectors; returns how many.</summary>
    private static unsafe int RenderVector(
        WarpPath path, uint* top, uint* bottom, int lastColumn, uint wy, long sx, long step, int count, byte* output)
    {
        // The lanes hold sx in 32 bits, 16.16: enough for positions within 32767 pixels of the
        // origin. A row that reaches further (a huge image zoomed far out) stays scalar.
        var end = sx + (count - 1) * step;
        if (Math.Min(sx, end) < int.MinValue || Math.Max(sx, end) > int.MaxValue)
        {
            return 0;
        }

        return path == WarpPath.Vector512
            ? Render512(top, bottom, lastColumn, wy, (int)sx, (int)step, count, output)
            : Render256(top, bottom, lastColumn, wy, (int)sx, (int)step, count, output);
    }

    private static unsafe int Render256(uint* top, uint* bottom, int lastColumn, uint wy, int sx, int step, int count, byte* output)
    {
        var positions = Vector256.Create(sx) + Vector256<int>.Indices * step;
        var last = Vector256.Create(lastColumn);
        var rowWeight = Vector256.Create((ushort)wy);
        var x = 0;
        for (; x + Vector256<int>.Count <= count; x += Vector256<int>.Count, output += 3 * Vector256<int>.Count)
        {
            var left = positions >> FractionBits;
            var wx = ((positions & Vector256.Create((int)(FixedOne - 1))) + Vector256.Create((int)(FixedOne / One / 2))) >>> (FractionBits - 8);
            var right = Vector256.Max(Vector256.Min(left + Vector256<int>.One, last), Vector256<int>.Zero);
            left = Vector256.Min(Vector256.Max(left, Vector256<int>.Zero), last);
            var weight = (wx | (wx << 16)).AsUInt16();

            Vector256<uint> upper, lower;
            var window = WindowStart(sx + x * step, step, Vector256<int>.Count, lastColumn);
            if (window >= 0)
            {
                var (leftInWindow, rightInWindow) = (left - Vector256.Create(window), right - Vector256.Create(window));
                upper = Lerp(Pick(top + window, leftInWindow), Pick(top + window, rightInWindow), weight);
                lower = Lerp(Pick(bottom + window, leftInWindow), Pick(bottom + window, rightInWindow), weight);
            }
            else
            {
                upper = Lerp(Avx2.GatherVector256(top, left, 4), Avx2.GatherVector256(top, right, 4), weight);
                lower = Lerp(Avx2.GatherVector256(bottom, left, 4), Avx2.GatherVector256(bottom, right, 4), weight);
            }

            var rgb = Avx2.PermuteVar8x32(
                Avx2.Shuffle(Lerp(upper, lower, rowWeight).AsByte(), Vector256.Create(RgbOfRgba)).AsUInt32(),
                Vector256.Create(0u, 1, 2, 4, 5, 6, 7, 7)).AsByte();
            rgb.GetLower().Store(output);
            *(ulong*)(output + 16) = rgb.AsUInt64().GetElement(2);
            positions += Vector256.Create(step * Vector256<int>.Count);
        }

        return x;
    }

    private static unsafe int Render512(uint* top, uint* bottom, int lastColumn, uint wy, int sx, int step, int count, byte* output)
    {
        var positions = Vector512.Create(sx) + Vector512<int>.Indices * step;
        var last = Vector512.Create(lastColumn);
        var rowWeight = Vector512.Create((ushort)wy);
        var x = 0;
        for (; x + Vector512<int>.Count <= count; x += Vector512<int>.Count, output += 3 * Vector512<int>.Count)
        {
            var left = positions >> FractionBits;
            var wx = ((positions & Vector512.Create((int)(FixedOne - 1))) + Vector512.Create((int)(FixedOne / One / 2))) >>> (FractionBits - 8);
            var right = Vector512.Max(Vector512.Min(left + Vector512<int>.One, last), Vector512<int>.Zero);
            left = Vector512.Min(Vector512.Max(left, Vector512<int>.Zero), last);
            var weight = (wx | (wx << 16)).AsUInt16();

            Vector512<uint> upper, lower;
            var window = WindowStart(sx + x * step, step, Vector512<int>.Count, lastColumn);
            if (window >= 0)
            {
                var (leftInWindow, rightInWindow) = (left - Vector512.Create(window), right - Vector512.Create(window));
                upper = Lerp(Pick(top + window, leftInWindow), Pick(top + window, rightInWindow), weight);
                lower = Lerp(Pick(bottom + window, leftInWindow), Pick(bottom + window, rightInWindow), weight);
            }
            else
            {
                upper = Lerp(Gather(top, left), Gather(top, right), weight);
                lower = Lerp(Gather(bottom, left), Gather(bottom, right), weight);
            }

            var rgb = Avx512F.PermuteVar16x32(
                Avx512BW.Shuffle(Lerp(upper, lower, rowWeight).AsByte(), Vector512.Create(RgbOfRgba)).AsUInt32(),
                Vector512.Create(0u, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 15, 15, 15)).AsByte();
            rgb.GetLower().Store(output);
            rgb.GetUpper().GetLower().Store(output + 32);
            positions += Vector512.Create(step * Vector512<int>.Count);
        }

        return x;
    }

    /// <summary>
    /// Where a window of 2 × <paramref name="lanes"/> consecutive pixels of the row starts that holds
    /// every tap of the lanes whose first position is <paramref name="first"/>, without reading past
    /// the row; -1 where none does (a wide step, or a row narrower than the window).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WindowStart(int first, int step, int lanes, int lastColumn)
    {
        var end = first + (lanes - 1) * step;
        var low = Math.Clamp(Math.Min(first, end) >> FractionBits, 0, lastColumn);
        var high = Math.Clamp((Math.Max(first, end) >> FractionBits) + 1, 0, lastColumn);
        var start = Math.Min(low, lastColumn + 1 - 2 * lanes);
        return start >= 0 && high - start < 2 * lanes ? start : -1;
    }

    /// <summary>The pixels at <paramref name="columns"/> (0 to 15) of the 16 from <paramref name="window"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<uint> Pick(uint* window, Vector256<int> columns)
    {
        var indices = columns.AsUInt32();
        var inSecond = Vector256.GreaterThan(columns, Vector256.Create(Vector256<int>.Count - 1)).AsUInt32();
        return Avx2.BlendVariable(
            Avx2.PermuteVar8x32(Vector256.Load(window), indices), Avx2.PermuteVar8x32(Vector256.Load(window + Vector256<int>.Count), indices), inSecond);
    }

    /// <summary>The pixels at <paramref name="columns"/> (0 to 31) of the 32 from <paramref name="window"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<uint> Pick(uint* window, Vector512<int> columns) =>
        Avx512F.PermuteVar16x32x2(Vector512.Load(window), columns.AsUInt32(), Vector512.Load(window + Vector512<int>.Count));

    /// <summary>Per 128-bit lane, four RGBA pixels' RGB packed into its first 12 bytes; a permute then closes the gaps between lanes.</summary>
    private static Vector128<byte> RgbOfRgba => Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<uint> Gather(uint* row, Vector512<int> columns) =>
        Vector512.Create(Avx2.GatherVector256(row, columns.GetLower(), 4), Avx2.GatherVector256(row, columns.GetUpper(), 4));

    /// <summary>
    /// The scalar <see cref="Lerp(uint, uint, uint)"/> in 16-bit lanes, one channel each: a·(256-w) + b·w + 128
    /// is at most 255·256 + 128, so it cannot carry out of its lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Lerp(Vector256<uint> a, Vector256<uint> b, Vector256<ushort> weight)
    {
        var low = Vector256.Create((ushort)0xFF);
        var half = Vector256.Create((ushort)(One / 2));
        var inverse = Vector256.Create((ushort)One) - weight;
        var (a16, b16) = (a.AsUInt16(), b.AsUInt16());
        var even = ((a16 & low) * inverse + (b16 & low) * weight + half) >> 8;
        var odd = ((a16 >> 8) * inverse + (b16 >> 8) * weight + half) & ~low;
        return (even | odd).AsUInt32();
    }

    /// <inheritdoc cref="Lerp(Vector256{uint}, Vector256{uint}, Vector256{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Lerp(Vector512<uint> a, Vector512<uint> b, Vector512<ushort> weight)
    {
        var low = Vector512.Create((ushort)0xFF);
        var half = Vector512.Create((ushort)(One / 2));
        var inverse = Vector512.Create((ushort)One) - weight;
        var (a16, b16) = (a.AsUInt16(), b.AsUInt16());
        var even = ((a16 & low) * inverse + (b16 & low) * weight + half) >> 8;
        var odd = ((a16 >> 8) * inverse + (b16 >> 8) * weight + half) & ~low;
        return (even | odd).AsUInt32();
    }
}
