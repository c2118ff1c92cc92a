using CatsDogs.Pipeline.Dataflow;
using SkiaSharp;

namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// A folder with every kind of awkward input the pipeline must survive, as cat/ and dog/ files
/// with .jpg names, and what the pipeline should make of each.
/// </summary>
internal static class BadImages
{
    /// <summary>Files that must be skipped, by relative path, with the reason they must be counted under.</summary>
    public static readonly IReadOnlyDictionary<string, SkipReason> Skipped = new Dictionary<string, SkipReason>
    {
        ["cat/empty.jpg"] = SkipReason.Empty,
        ["cat/text.jpg"] = SkipReason.NotAnImage,
        ["dog/truncated.jpg"] = SkipReason.Truncated,
        ["dog/corrupt.jpg"] = SkipReason.Corrupt,
        ["dog/huge.jpg"] = SkipReason.TooLarge,
    };

    /// <summary>Files that are odd but decodable, so they must come through.</summary>
    public static readonly string[] Decodable =
    [
        "cat/gray.jpg", "cat/cmyk.jpg", "cat/png.jpg", "dog/gif.jpg", "dog/webp.jpg", "dog/plain.jpg", "cat/plain.jpg",
    ];

    /// <summary>The source pixels of <see cref="Decodable"/>, in that order, as their headers give them.</summary>
    public const long DecodablePixels = 40 * 30 + 32 * 24 + 48 * 40 + 1 * 1 + 48 * 40 + 120 * 90 + 90 * 120;

    /// <summary>cat/cmyk.jpg's one colour as the file stores it: Adobe's inverted inks, where 255 is no ink.</summary>
    public static readonly (byte C, byte M, byte Y, byte K) CmykStored = (40, 200, 90, 250);

    /// <summary>The pixel limit the huge file exceeds while every other file stays under it.</summary>
    public const long MaxPixels = 10_000_000;

    public static void WriteTo(TempFolder folder)
    {
        folder.Write("cat/empty.jpg", []);
        folder.Write("cat/text.jpg", "This is a shopping list, not a cat."u8.ToArray());
        folder.Write("dog/truncated.jpg", Images.TruncatedJpeg());
        folder.Write("dog/corrupt.jpg", Images.CorruptJpeg());
        folder.Write("dog/huge.jpg", Images.JpegClaimingSize(60000, 60000));
        folder.Write("cat/gray.jpg", Images.GrayJpeg(40, 30));
        folder.Write("cat/cmyk.jpg", CmykJpeg.Create(32, 24, CmykStored.C, CmykStored.M, CmykStored.Y, CmykStored.K));
        using var pattern = Images.Pattern(48, 40);
        folder.Write("cat/png.jpg", Images.Encode(pattern, SKEncodedImageFormat.Png));
        folder.Write("dog/webp.jpg", Images.Encode(pattern, SKEncodedImageFormat.Webp));
        folder.Write("dog/gif.jpg", Images.Gif());
        folder.Write("dog/plain.jpg", Images.Jpeg(120, 90));
        folder.Write("cat/plain.jpg", Images.Jpeg(90, 120, seed: 1));
    }
}
