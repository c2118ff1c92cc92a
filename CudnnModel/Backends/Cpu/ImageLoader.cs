using System.Runtime.CompilerServices;
namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Converts one interleaved RGB uint8 image to planar float in [0, 1].</summary>
internal static class ImageLoader
{
    private const float Scale = 1f / 255f;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPlanar(ReadOnlySpan<byte> pixels, Span<float> planes)
    {
        var plane = pixels.Length / 3;
        var red = planes[..plane];
        var green = planes.Slice(plane, plane);
        var blue = planes.Slice(2 * plane, plane);
        for (var i = 0; i < plane; i++)
        {
            red[i] = pixels[3 * i] * Scale;
            green[i] = pixels[3 * i + 1] * Scale;
            blue[i] = pixels[3 * i + 2] * Scale;
        }
    }
}
