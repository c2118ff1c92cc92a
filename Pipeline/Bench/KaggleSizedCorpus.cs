using CatsDogs.Pipeline.Data;
using SkiaSharp;

namespace CatsDogs.Pipeline.Bench;

/// <summary>
/// Makes a Kaggle-like corpus from the default data: each image upscaled to a random size
/// around Kaggle's mean (about 400x360), JPEG quality 90, in the same class folders. Used to
/// benchmark decoding at realistic sizes without shipping Kaggle's data.
/// </summary>
internal static class KaggleSizedCorpus
{
    public static int Write(DatasetIndex source, string outputFolder, int count, int seed, IProgress<int> progress)
    {
        var random = new Random(seed);
        var sampling = new SKSamplingOptions(SKCubicResampler.Mitchell);
        var written = 0;
        // Evenly spaced over the index, so that both classes are in the corpus.
        var stride = Math.Max(1, source.Entries.Count / Math.Max(1, count));
        foreach (var entry in source.Entries.Where((_, i) => i % stride == 0).Take(count))
        {
            using var original = SKBitmap.Decode(source.FullPath(entry))
                ?? throw new DatasetException($"'{source.FullPath(entry)}' cannot be decoded; the corpus is made from good images only.");
            var width = random.Next(320, 486);
            var height = random.Next(290, 437);
            using var large = original.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling);
            using var jpeg = large.Encode(SKEncodedImageFormat.Jpeg, 90);
            var target = Path.Combine(outputFolder, Path.ChangeExtension(entry.RelativePath, ".jpg"));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (var file = File.Create(target))
            {
                jpeg.SaveTo(file);
            }

            progress.Report(++written);
        }

        return written;
    }
}
