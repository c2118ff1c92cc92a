using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Max pooling (non-overlapping square windows) and global average pooling, one plane at a time.
/// The 2x2 window every preset uses has its own loops: the generic ones spend most of their
/// time on window bookkeeping, and pooling is a sizeable share of a training step.
/// </summary>
internal static class Pooling
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, int height, int width, int window)
    {
        var (ho, wo) = (height / window, width / window);
        if (window == 2)
        {
            MaxForward2(x, y, width, ho, wo);
            return;
        }

        for (var oy = 0; oy < ho; oy++)
        {
            for (var ox = 0; ox < wo; ox++)
            {
                var best = float.NegativeInfinity;
                for (var ky = 0; ky < window; ky++)
                {
                    var row = x.Slice((oy * window + ky) * width + ox * window, window);
                    for (var kx = 0; kx < window; kx++)
                    {
                        best = Math.Max(best, row[kx]);
                    }
                }

                y[oy * wo + ox] = best;
            }
        }
    }

    /// <summary>
    /// Sends each output gradient to the first position (row-major) of its window that holds the
    /// maximum; every other position of <paramref name="dx"/>, including rows and columns that
    /// no window covers, gets 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx,
        int height, int width, int window)
    {
        var (ho, wo) = (height / window, width / window);
        if (window == 2)
        {
            MaxBackward2(x, y, dy, dx, width, ho, wo);
            dx[(2 * ho * width)..].Clear();
            return;
        }

        dx.Clear();
        for (var oy = 0; oy < ho; oy++)
        {
            for (var ox = 0; ox < wo; ox++)
            {
                var index = FirstIndexOf(x, y[oy * wo + ox], oy * window, ox * window, width, window);
                dx[index] += dy[oy * wo + ox];
            }
        }
    }

    public static float AverageForward(ReadOnlySpan<float> plane) => TensorPrimitives.Sum(plane) / plane.Length;

    public static void AverageBackward(float dy, Span<float> dx) => dx.Fill(dy / dx.Length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForward2(ReadOnlySpan<float> x, Span<float> y, int width, int ho, int wo)
    {
        Span<float> rowMax = stackalloc float[2 * wo];
        for (var oy = 0; oy < ho; oy++)
        {
            // Vertical maximum of the two rows with full vectors, then of horizontal pairs.
            var top = x.Slice(2 * oy * width, 2 * wo);
            var bottom = x.Slice((2 * oy + 1) * width, 2 * wo);
            var i = 0;
            for (; i <= rowMax.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.MaxNative(new Vector<float>(top[i..]), new Vector<float>(bottom[i..])).CopyTo(rowMax[i..]);
            }

            for (; i < rowMax.Length; i++)
            {
                rowMax[i] = Math.Max(top[i], bottom[i]);
            }

            var output = y.Slice(oy * wo, wo);
            for (var ox = 0; ox < wo; ox++)
            {
                output[ox] = Math.Max(rowMax[2 * ox], rowMax[2 * ox + 1]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxBackward2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx,
        int width, int ho, int wo)
    {
        for (var oy = 0; oy < ho; oy++)
        {
            var top = 2 * oy * width;
            var bottom = top + width;
            for (var ox = 0; ox < wo; ox++)
            {
                var (value, gradient) = (y[oy * wo + ox], dy[oy * wo + ox]);
                var (a, b, c, d) = (top + 2 * ox, top + 2 * ox + 1, bottom + 2 * ox, bottom + 2 * ox + 1);

                // 0/1 flags instead of branches: which element is the maximum is random, and
                // mispredicted branches made this loop ten times slower than its memory traffic.
                var hitA = Bit(x[a] == value);
                var hitB = Bit(x[b] == value) & (1 - hitA);
                var hitC = Bit(x[c] == value) & (1 - (hitA | hitB));
                var hitD = 1 - (hitA | hitB | hitC);
                dx[a] = hitA * gradient;
                dx[b] = hitB * gradient;
                dx[c] = hitC * gradient;
                dx[d] = hitD * gradient;
            }

            // A column that no window covers (odd width).
            if (2 * wo < width)
            {
                dx[top + width - 1] = 0f;
                dx[bottom + width - 1] = 0f;
            }
        }
    }

    private static int Bit(bool value) => value ? 1 : 0;

    private static int FirstIndexOf(ReadOnlySpan<float> x, float value, int top, int left, int width, int window)
    {
        for (var ky = 0; ky < window; ky++)
        {
            for (var kx = 0; kx < window; kx++)
            {
                var index = (top + ky) * width + left + kx;
                if (x[index] == value)
                {
                    return index;
                }
            }
        }

        // Only NaN inputs get here (NaN never equals itself): route to the window's corner.
        return top * width + left;
    }
}
