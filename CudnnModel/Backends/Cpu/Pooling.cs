using System.Numerics.Tensors;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Max pooling (non-overlapping square windows) and global average pooling, one plane at a time.</summary>
internal static class Pooling
{
    public static void MaxForward(ReadOnlySpan<float> x, Span<float> y, int height, int width, int window)
    {
        var (ho, wo) = (height / window, width / window);
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

    /// <summary>Sends each output gradient to the first position of its window that holds the maximum.</summary>
    public static void MaxBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx,
        int height, int width, int window)
    {
        dx.Clear();
        var (ho, wo) = (height / window, width / window);
        for (var oy = 0; oy < ho; oy++)
        {
            for (var ox = 0; ox < wo; ox++)
            {
                var index = FirstIndexOf(x, y[oy * wo + ox], oy * window, ox * window, width, window);
                dx[index] += dy[oy * wo + ox];
            }
        }
    }

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

    public static float AverageForward(ReadOnlySpan<float> plane) => TensorPrimitives.Sum(plane) / plane.Length;

    public static void AverageBackward(float dy, Span<float> dx) => dx.Fill(dy / dx.Length);
}
