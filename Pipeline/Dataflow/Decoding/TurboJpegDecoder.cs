using System.Collections.Concurrent;
using CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;
using CatsDogs.Pipeline.Dataflow.Internal;

namespace CatsDogs.Pipeline.Dataflow.Decoding;

/// <summary>
/// Decodes JPEGs through the system's libjpeg-turbo, whose SIMD Skia's bundled copy lacks
/// (docs/BENCHMARKS.md), at the smallest DCT scale (1/8, 1/4, 1/2) whose sides reach the target,
/// as <see cref="SkiaImageDecoder"/> does. Everything else, and every JPEG TurboJPEG refuses, goes
/// to Skia, so that each bad file is judged, and counted, by the same decoder as before.
/// <para>
/// Threading: a decompressor serves one thread at a time; idle ones wait in a queue, so each
/// decoding thread soon has one and no image allocates.
/// </para>
/// </summary>
internal sealed class TurboJpegDecoder(IImageDecoder others, string library) : IImageDecoder
{
    private static readonly int[] ScaleDenominators = [8, 4, 2];

    private readonly ConcurrentQueue<TurboJpegHandle> _idle = new();

    public string Name => "turbojpeg";

    public string Version => $"turbojpeg {library}; {others.Version}";

    public unsafe bool Decode(ImageJob job, int minSide, long maxPixels)
    {
        if (!job.StartsLikeJpeg)
        {
            return others.Decode(job, minSide, maxPixels);
        }

        var decompressor = _idle.TryDequeue(out var idle) ? idle : TurboJpegHandle.Create();
        try
        {
            var jpeg = (byte*)job.Encoded.Pointer;
            var length = (nuint)job.EncodedLength;
            if (TurboJpegNative.tjDecompressHeader3(decompressor, jpeg, length, out var width, out var height, out _, out var colorspace) != 0)
            {
                return others.Decode(job, minSide, maxPixels);
            }

            if (!job.AcceptSourceSize(width, height, maxPixels))
            {
                return false;
            }

            var (scaledWidth, scaledHeight) = ScaledSize(width, height, minSide);
            job.Decoded.EnsureCapacity(scaledWidth * scaledHeight * 4);
            var inks = colorspace is TurboJpegNative.ColorspaceCmyk or TurboJpegNative.ColorspaceYcck;
            var format = inks ? TurboJpegNative.PixelFormatCmyk : TurboJpegNative.PixelFormatRgba;
            if (TurboJpegNative.tjDecompress2(
                    decompressor, jpeg, length, (byte*)job.Decoded.Pointer, scaledWidth, 0, scaledHeight, format, TurboJpegNative.FlagStopOnWarning) != 0)
            {
                return others.Decode(job, minSide, maxPixels);
            }

            if (inks)
            {
                InksToRgba(job.Decoded.Span(scaledWidth * scaledHeight * 4));
            }

            job.DecodedWidth = scaledWidth;
            job.DecodedHeight = scaledHeight;
            return true;
        }
        finally
        {
            _idle.Enqueue(decompressor);
        }
    }

    /// <summary>The smallest DCT-scaled size whose sides are both at least <paramref name="minSide"/>; TurboJPEG rounds up, as TJSCALED does.</summary>
    internal static (int Width, int Height) ScaledSize(int width, int height, int minSide)
    {
        foreach (var denominator in ScaleDenominators)
        {
            var (scaledWidth, scaledHeight) = ((width + denominator - 1) / denominator, (height + denominator - 1) / denominator);
            if (scaledWidth >= minSide && scaledHeight >= minSide)
            {
                return (scaledWidth, scaledHeight);
            }
        }

        return (width, height);
    }

    /// <summary>
    /// Adobe's CMYK JPEGs store inverted inks, so each colour is ink times black over 255, rounded as
    /// Skia rounds it: the same colours the Skia decoder gave these files.
    /// </summary>
    private static void InksToRgba(Span<byte> pixels)
    {
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var black = pixels[i + 3];
            pixels[i] = MultiplyDivide255(pixels[i], black);
            pixels[i + 1] = MultiplyDivide255(pixels[i + 1], black);
            pixels[i + 2] = MultiplyDivide255(pixels[i + 2], black);
            pixels[i + 3] = 0xFF;
        }
    }

    private static byte MultiplyDivide255(int a, int b)
    {
        var product = a * b + 128;
        return (byte)((product + (product >> 8)) >> 8);
    }

    public void Dispose()
    {
        while (_idle.TryDequeue(out var decompressor))
        {
            decompressor.Dispose();
        }

        others.Dispose();
    }
}
