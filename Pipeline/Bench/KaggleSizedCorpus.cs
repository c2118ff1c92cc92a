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
    /// <summary>
    /// Writes the corpus, or nothing: on a failure or a cancellation every file and folder this
    /// call made is removed again, so that a second try finds the output folder as it was.
    /// </summary>
    public static int Write(DatasetIndex source, string outputFolder, int count, int seed, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var made = new Stack<string>();
        try
        {
            return WriteImages(source, outputFolder, count, seed, progress, made, cancellationToken);
        }
        catch
        {
            RemoveAll(made);
            throw;
        }
    }

    private static int WriteImages(
        DatasetIndex source, string outputFolder, int count, int seed, IProgress<int> progress, Stack<string> made, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var sampling = new SKSamplingOptions(SKCubicResampler.Mitchell);
        var written = 0;
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        CreateFolder(outputFolder, made);
        // Evenly spaced over the index, so that both classes are in the corpus.
        var stride = Math.Max(1, source.Entries.Count / Math.Max(1, count));
        foreach (var entry in source.Entries.Where((_, i) => i % stride == 0).Take(count))
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var original = SKBitmap.Decode(source.FullPath(entry))
                ?? throw new DatasetException($"'{source.FullPath(entry)}' cannot be decoded; the corpus is made from good images only, so none was kept.");
            var width = random.Next(320, 486);
            var height = random.Next(290, 437);
            using var large = original.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), sampling);
            using var jpeg = large.Encode(SKEncodedImageFormat.Jpeg, 90);
            var target = Path.Combine(outputFolder, JpegName(entry.RelativePath));
            if (!sources.TryAdd(target, entry.RelativePath))
            {
                throw new DatasetException($"'{sources[target]}' and '{entry.RelativePath}' would both be written as '{target}'; rename one of them.");
            }

            CreateFolder(Path.GetDirectoryName(target)!, made);
            made.Push(target);
            using (var file = File.Create(target))
            {
                jpeg.SaveTo(file);
            }

            progress.Report(++written);
        }

        return written;
    }

    /// <summary>
    /// The corpus name of a source image: a JPEG keeps its name, anything else gains ".jpg", so that
    /// "a.png" next to "a.jpg" makes two files rather than one overwriting the other.
    /// </summary>
    private static string JpegName(string relativePath) =>
        Path.GetExtension(relativePath).ToLowerInvariant() is ".jpg" or ".jpeg" ? relativePath : relativePath + ".jpg";

    /// <summary>Creates <paramref name="folder"/> and the parents it lacks, recording each one made.</summary>
    private static void CreateFolder(string folder, Stack<string> made)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(folder))!, made);
        Directory.CreateDirectory(folder);
        made.Push(folder);
    }

    /// <summary>Removes what was made, newest first; a folder is removed only when empty, so nothing put there by someone else goes.</summary>
    private static void RemoveAll(Stack<string> made)
    {
        while (made.TryPop(out var path))
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
                else if (Directory.Exists(path))
                {
                    Directory.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something else wrote there meanwhile: it stays, and so does its folder.
            }
        }
    }
}
