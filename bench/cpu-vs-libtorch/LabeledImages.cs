using System.Text.Json;
using SkiaSharp;

namespace CatsDogs.Bench.Libtorch;

/// <summary>
/// Decoded 8-bit RGB images (HWC, one square side) and their labels (0 = cat, 1 = dog, from the class folder), read
/// the way catsdogs reads them: the split file's relative paths under the data folder, or every image under a class folder.
/// </summary>
internal sealed class LabeledImages
{
    private LabeledImages(byte[] pixels, float[] labels, int side) => (Pixels, Labels, Side) = (pixels, labels, side);

    public byte[] Pixels { get; }

    public float[] Labels { get; }

    public int Side { get; }

    public int Count => Labels.Length;

    /// <summary>The split file's "train" and "validation" lists, under <paramref name="dataRoot"/>.</summary>
    public static (LabeledImages Train, LabeledImages Validation) FromSplit(string dataRoot, string splitFile, int side)
    {
        using var split = JsonDocument.Parse(File.ReadAllText(splitFile));
        LabeledImages Part(string name) =>
            Load(split.RootElement.GetProperty(name).EnumerateArray().Select(path => Path.Combine(dataRoot, path.GetString()!)).ToList(), side);
        return (Part("train"), Part("validation"));
    }

    /// <summary>Every .jpg under <paramref name="folder"/>/cat and <paramref name="folder"/>/dog, in name order.</summary>
    public static LabeledImages FromClassFolders(string folder, int side) =>
        Load(new[] { "cat", "dog" }.SelectMany(label => Directory.GetFiles(Path.Combine(folder, label), "*.jpg").Order()).ToList(), side);

    private static LabeledImages Load(IReadOnlyList<string> paths, int side)
    {
        var imageBytes = side * side * 3;
        var pixels = new byte[paths.Count * imageBytes];
        var labels = new float[paths.Count];
        Parallel.For(0, paths.Count, i =>
        {
            using var bitmap = SKBitmap.Decode(paths[i]) ?? throw new InvalidDataException($"{paths[i]}: not an image SkiaSharp decodes.");
            if (bitmap.Width != side || bitmap.Height != side)
            {
                throw new InvalidDataException($"{paths[i]}: {bitmap.Width}x{bitmap.Height}, expected {side}x{side} (no resizing here).");
            }

            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    var color = bitmap.GetPixel(x, y);
                    var at = i * imageBytes + (y * side + x) * 3;
                    (pixels[at], pixels[at + 1], pixels[at + 2]) = (color.Red, color.Green, color.Blue);
                }
            }

            var folder = Path.GetFileName(Path.GetDirectoryName(paths[i]));
            labels[i] = folder switch
            {
                "dog" => 1f,
                "cat" => 0f,
                _ => throw new InvalidDataException($"{paths[i]}: not under a cat/ or dog/ folder."),
            };
        });
        return new LabeledImages(pixels, labels, side);
    }
}
