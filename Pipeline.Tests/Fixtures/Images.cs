using SkiaSharp;

namespace CatsDogs.Tests.Fixtures;

/// <summary>Test images made with SkiaSharp: real encoded files, with content the tests can check.</summary>
internal static class Images
{
    /// <summary>
    /// A picture with structure in both axes: a horizontal red ramp, a vertical green ramp, and a
    /// blue value from <paramref name="seed"/>, so that flips, crops and mix-ups show.
    /// </summary>
    public static SKBitmap Pattern(int width, int height, int seed = 0)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var pixels = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var offset = (y * width + x) * 4;
                pixels[offset] = (byte)(x * 255 / Math.Max(1, width - 1));
                pixels[offset + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                pixels[offset + 2] = (byte)(seed * 37 % 256);
                pixels[offset + 3] = 255;
            }
        }

        return bitmap;
    }

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 95)
    {
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}.");
        return data.ToArray();
    }

    public static byte[] Jpeg(int width, int height, int seed = 0, int quality = 95)
    {
        using var bitmap = Pattern(width, height, seed);
        return Encode(bitmap, SKEncodedImageFormat.Jpeg, quality);
    }

    /// <summary>
    /// <see cref="Pattern"/> with seeded noise of up to +-96 on every channel: each image has its own fine detail,
    /// so that a network's outputs differ from image to image, as they do on photos.
    /// </summary>
    public static byte[] NoisyJpeg(int width, int height, int seed)
    {
        using var bitmap = Pattern(width, height, seed);
        var pixels = bitmap.GetPixelSpan();
        var random = new Random(seed);
        for (var i = 0; i < pixels.Length; i++)
        {
            if (i % 4 != 3)
            {
                pixels[i] = (byte)Math.Clamp(pixels[i] + random.Next(-96, 97), 0, 255);
            }
        }

        return Encode(bitmap, SKEncodedImageFormat.Jpeg, 90);
    }

    public static byte[] GrayJpeg(int width, int height)
    {
        using var gray = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var pixels = gray.GetPixelSpan();
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i % width * 255 / Math.Max(1, width - 1));
        }

        return Encode(gray, SKEncodedImageFormat.Jpeg);
    }

    /// <summary>A JPEG whose frame header claims <paramref name="width"/> x <paramref name="height"/>, far more than its data holds.</summary>
    public static byte[] JpegClaimingSize(ushort width, ushort height)
    {
        var jpeg = Jpeg(16, 16);
        var sof = FindMarker(jpeg, 0xC0);
        jpeg[sof + 5] = (byte)(height >> 8);
        jpeg[sof + 6] = (byte)height;
        jpeg[sof + 7] = (byte)(width >> 8);
        jpeg[sof + 8] = (byte)width;
        return jpeg;
    }

    /// <summary>
    /// A JPEG whose Huffman table is impossible (more codes than bits allow). libjpeg shrugs off
    /// noise in the scan data as a warning, but a bogus table is a fatal error.
    /// </summary>
    public static byte[] CorruptJpeg()
    {
        var jpeg = Jpeg(64, 64);
        var table = FindMarker(jpeg, 0xC4);
        for (var i = 0; i < 16; i++)
        {
            jpeg[table + 5 + i] = 0xFF;
        }

        return jpeg;
    }

    public static byte[] TruncatedJpeg()
    {
        var jpeg = Jpeg(256, 192, quality: 98);
        return jpeg[..(jpeg.Length / 2)];
    }

    /// <summary>The classic smallest GIF, one pixel of palette entry 0, here white (Skia has no GIF encoder).</summary>
    public static byte[] Gif() =>
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
        0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00,
        0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];

    /// <summary>Decodes through Skia as RGBA, for comparisons.</summary>
    public static SKBitmap DecodeRgba(byte[] encoded)
    {
        using var codec = SKCodec.Create(new MemoryStream(encoded)) ?? throw new InvalidOperationException("not an image");
        var bitmap = new SKBitmap(new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        return result == SKCodecResult.Success ? bitmap : throw new InvalidOperationException(result.ToString());
    }

    private static int FindMarker(byte[] jpeg, byte marker)
    {
        for (var i = 2; i < jpeg.Length - 1; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == marker)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"No 0xFF{marker:X2} marker in the JPEG.");
    }
}
