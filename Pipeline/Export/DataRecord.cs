using System.Security.Cryptography;
using System.Text;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Training;
using SkiaSharp;

namespace CatsDogs.Pipeline.Export;

/// <summary>The images of one set of the split; by class where the data folder's layout still gives every one its label.</summary>
internal readonly record struct SplitSet(int Images, int? Cats, int? Dogs);

/// <summary>The sizes of a data set's source images, as their headers give them, before the pipeline fits them to the network.</summary>
internal sealed record SourceSizes(int SmallestSide, int LargestSide, string MostCommon, double MostCommonShare);

/// <summary>
/// The data a network was trained and validated on, as the model card gives it: the folder, the split file and its
/// hash, the images of each set by class, and a hash of the images' content. The split file and the images are read
/// now, at export, so what no longer matches the training (a changed split file, files gone) is a note, not a failure.
/// </summary>
internal sealed record DataRecord(string Folder, string SplitFile, string RecordedSplitHash, string? CurrentSplitHash,
    SplitSet? Train, SplitSet? Validation, int Excluded, string? ContentHash, SourceSizes? Sizes, IReadOnlyList<string> Notes)
{
    /// <summary>How <see cref="ContentHash"/> is made, so that a reader can check it with coreutils.</summary>
    public const string ContentHashRule =
        "SHA-256 of what `sha256sum` prints, run in the data folder, for the split's images (training and validation, less excluded files) in byte order of their paths";

    public static DataRecord Describe(TrainConfig settings, string recordedSplitHash)
    {
        var resolved = settings.Resolved();
        var (folder, splitFile) = (resolved.Data, resolved.SplitFile!);
        var notes = new List<string>();
        if (!File.Exists(splitFile))
        {
            notes.Add($"The split file '{splitFile}' is gone, so the sets and the content hash are not known.");
            return new DataRecord(folder, splitFile, recordedSplitHash, null, null, null, 0, null, null, notes);
        }

        var currentHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(splitFile)));
        if (currentHash != recordedSplitHash)
        {
            notes.Add($"The split file has changed since the checkpoint was saved (its SHA-256 is now {currentHash}); the sets below are today's.");
        }

        SplitFileContent content;
        ExcludeList? exclude;
        try
        {
            content = DatasetSplit.Read(splitFile);
            exclude = resolved.Exclude is null ? null : ExcludeList.Load(resolved.Exclude);
        }
        catch (DatasetException e)
        {
            notes.Add(e.Message);
            return new DataRecord(folder, splitFile, recordedSplitHash, currentHash, null, null, 0, null, null, notes);
        }

        bool Used(string path) => exclude is null || !exclude.Contains(path);
        var train = content.Train.Where(Used).ToList();
        var validation = content.Validation.Where(Used).ToList();
        var excluded = content.Train.Count + content.Validation.Count - train.Count - validation.Count;
        var (contentHash, sizes) = ReadImages(folder, [.. train, .. validation], notes);
        var labels = Labels(folder, notes);
        return new DataRecord(folder, splitFile, recordedSplitHash, currentHash, Set(labels, train), Set(labels, validation),
            excluded, contentHash, sizes, notes);
    }

    /// <summary>Each image's label as the data folder's layout gives it; null, with a note, when the folder cannot be read.</summary>
    private static Dictionary<string, ImageLabel>? Labels(string folder, List<string> notes)
    {
        try
        {
            return DatasetIndex.Scan(folder, requireLabels: true).Entries.ToDictionary(entry => entry.RelativePath, entry => entry.Label, StringComparer.Ordinal);
        }
        catch (DatasetException e)
        {
            notes.Add(e.Message);
            return null;
        }
    }

    private static SplitSet Set(Dictionary<string, ImageLabel>? labels, IReadOnlyList<string> paths) =>
        labels is not null && paths.All(labels.ContainsKey)
            ? new SplitSet(paths.Count, paths.Count(path => labels[path] == ImageLabel.Cat), paths.Count(path => labels[path] == ImageLabel.Dog))
            : new SplitSet(paths.Count, null, null);

    /// <summary>The content hash (<see cref="ContentHashRule"/>) and source sizes of the images, or nulls with a note when some are gone.</summary>
    private static (string? Hash, SourceSizes? Sizes) ReadImages(string folder, List<string> paths, List<string> notes)
    {
        paths.Sort(StringComparer.Ordinal);
        var listing = new StringBuilder();
        var sizes = new Dictionary<(int Width, int Height), int>();
        var missing = new List<string>();
        foreach (var path in paths)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(Path.Combine(folder, path));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                missing.Add(path);
                continue;
            }

            listing.Append(Convert.ToHexStringLower(SHA256.HashData(bytes))).Append("  ").Append(path).Append('\n');
            using var data = SKData.CreateCopy(bytes);
            using var codec = SKCodec.Create(data);
            if (codec is not null)
            {
                var size = (codec.Info.Width, codec.Info.Height);
                sizes[size] = sizes.GetValueOrDefault(size) + 1;
            }
        }

        if (missing.Count > 0)
        {
            notes.Add($"{missing.Count} of the split's {paths.Count} images are gone from '{folder}' ({Examples.Of(missing)}), so there is no content hash.");
            return (null, null);
        }

        var common = sizes.MaxBy(size => size.Value);
        var described = sizes.Count == 0 ? null : new SourceSizes(
            sizes.Keys.Min(size => Math.Min(size.Width, size.Height)), sizes.Keys.Max(size => Math.Max(size.Width, size.Height)),
            $"{common.Key.Width}x{common.Key.Height}", (double)common.Value / sizes.Values.Sum());
        return (Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString()))), described);
    }
}
