using CatsDogs.Model.Memory;

namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>Mirrors a square RGB tile left to right in place, for test-time augmentation, which shows the network both.</summary>
internal static class HorizontalMirror
{
    public static void Apply(Span<byte> tile, int side)
    {
        const int pixel = HostImageBatch.Channels;
        Span<byte> swap = stackalloc byte[pixel];
        for (var row = 0; row < side; row++)
        {
            var line = tile.Slice(row * side * pixel, side * pixel);
            for (int left = 0, right = side - 1; left < right; left++, right--)
            {
                var a = line.Slice(left * pixel, pixel);
                var b = line.Slice(right * pixel, pixel);
                a.CopyTo(swap);
                b.CopyTo(a);
                swap.CopyTo(b);
            }
        }
    }
}
