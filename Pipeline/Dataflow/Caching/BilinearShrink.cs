namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// Resizes an RGBA image to the size a training cache keeps (<see cref="CacheLayout.StoredSize"/>):
/// bilinear with pixel centres aligned and 8-bit weights, in integers so every machine stores the
/// same bytes. The cache shrinks by less than 2x after a DCT-scaled decode, where bilinear loses
/// nothing the warp's own bilinear would keep. Once per image, on the first pass only.
/// </summary>
internal static class BilinearShrink
{
    public static void Resize(ReadOnlySpan<byte> source, int width, int height, Span<byte> destination, int newWidth, int newHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, width * height * 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, newWidth * newHeight * 4);
        Span<int> left = newWidth <= 4096 ? stackalloc int[newWidth] : new int[newWidth];
        Span<int> right = newWidth <= 4096 ? stackalloc int[newWidth] : new int[newWidth];
        Span<int> weight = newWidth <= 4096 ? stackalloc int[newWidth] : new int[newWidth];
        for (var x = 0; x < newWidth; x++)
        {
            (left[x], right[x], weight[x]) = Taps(x, width, newWidth);
        }

        for (var y = 0; y < newHeight; y++)
        {
            var (top, bottom, wy) = Taps(y, height, newHeight);
            var topRow = source.Slice(top * width * 4, width * 4);
            var bottomRow = source.Slice(bottom * width * 4, width * 4);
            var output = destination.Slice(y * newWidth * 4, newWidth * 4);
            for (var x = 0; x < newWidth; x++)
            {
                int a = left[x] * 4, b = right[x] * 4, wx = weight[x];
                for (var c = 0; c < 4; c++)
                {
                    var upper = topRow[a + c] * (256 - wx) + topRow[b + c] * wx;
                    var lower = bottomRow[a + c] * (256 - wx) + bottomRow[b + c] * wx;
                    output[x * 4 + c] = (byte)((upper * (256 - wy) + lower * wy + (1 << 15)) >> 16);
                }
            }
        }
    }

    /// <summary>The two source neighbours of output position <paramref name="i"/> along one axis, and the second's weight in 256ths.</summary>
    private static (int First, int Second, int Weight) Taps(int i, int length, int newLength)
    {
        var position = Math.Max(0, (i + 0.5) * length / newLength - 0.5);
        var first = Math.Min((int)position, length - 1);
        return (first, Math.Min(first + 1, length - 1), (int)((position - first) * 256 + 0.5));
    }
}
