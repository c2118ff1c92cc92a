using System.Runtime.CompilerServices;
using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Converts one interleaved RGB uint8 image to planar float in [0, 1].</summary>
internal static class ImageLoader
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPlanar(ReadOnlySpan<byte> pixels, Span<float> planes)
    {
        var plane = pixels.Length / 3;
        var red = planes[..plane];
        var green = planes.Slice(plane, plane);
        var blue = planes.Slice(2 * plane, plane);
        for (var i = 0; i < plane; i++)
        {
            red[i] = pixels[3 * i] * HostImageBatch.PixelScale;
            green[i] = pixels[3 * i + 1] * HostImageBatch.PixelScale;
            blue[i] = pixels[3 * i + 2] * HostImageBatch.PixelScale;
        }
    }
}
