using System.Security.Cryptography;
using System.Text.Json;
using CatsDogs.Model.Checkpoints;

namespace CatsDogs.Pipeline.Data;

/// <summary>
/// The permanent train/validation split of a data set. It is drawn once (stratified by class,
/// seeded), written to a split file, and reused by every later run, so that validation images
/// never leak into training between runs. When the files on disk no longer match the split file
/// the run stops and says how to proceed: it never silently reuses a stale split.
/// </summary>
public sealed class DatasetSplit
{
    private const int FormatVersion = 1;

    private DatasetSplit(IReadOnlyList<ImageEntry> train, IReadOnlyList<ImageEntry> validation, string file, string hash)
    {
        Train = train;
        Validation = validation;
        File = file;
        Hash = hash;
    }

    public IReadOnlyList<ImageEntry> Train { get; }

    public IReadOnlyList<ImageEntry> Validation { get; }

    /// <summary>The split file this split was read from or written to.</summary>
    public string File { get; }

    /// <summary>SHA-256 of the split file's bytes; checkpoints record it to tie a model to its data.</summary>
    public string Hash { get; }

    /// <summary>
    /// Reads <paramref name="splitFile"/> if it exists and still matches <paramref name="index"/>,
    /// or draws a new split and writes it. Images in <paramref name="exclude"/> stay in the split
    /// file (so that editing the exclude list never invalidates it) but are left out of both sets.
    /// </summary>
    public static DatasetSplit LoadOrCreate(DatasetIndex index, string splitFile, SplitRequest request, ExcludeList? exclude, TextWriter log)
    {
        var path = Path.GetFullPath(splitFile);
        SplitFileContent content;
        if (System.IO.File.Exists(path))
        {
            content = Read(path);
            CheckStillMatches(index, content, path, request, exclude);
            if (request.SeedGiven && content.Seed != request.Seed)
            {
                log.WriteLine($"note: the split in {path} was drawn with seed {content.Seed} and is reused; --seed {request.Seed} seeds the shuffling, " +
                    $"augmentation and weights. Give --split-file a new path (or delete the file) to draw a split with seed {request.Seed}.");
            }
        }
        else if (request.Resuming)
        {
            throw new DatasetException($"The split file '{path}' that this run was trained with is gone; restore it to resume. A new split would mix validation images into training.");
        }
        else
        {
            content = Draw(index, request);
            Write(path, content);
            log.WriteLine($"Wrote a new split to {path}: {content.Validation.Count} validation and {content.Train.Count} training images (seed {request.Seed}). Later runs reuse it.");
        }

        if (exclude?.Unmatched(index.Entries.Select(e => e.RelativePath).Concat(content.Train).Concat(content.Validation)) is { Count: > 0 } unmatched)
        {
            log.WriteLine($"warning: {unmatched.Count} {(unmatched.Count == 1 ? "entry of the exclude list matches" : "entries of the exclude list match")} no image " +
                $"({Examples.Of(unmatched)}); entries are paths relative to '{index.Root}', such as {index.Entries[0].RelativePath}.");
        }

        var byPath = index.Entries.ToDictionary(e => e.RelativePath, StringComparer.Ordinal);
        List<ImageEntry> Resolve(IEnumerable<string> paths) =>
            paths.Where(p => exclude is null || !exclude.Contains(p)).Select(p => byPath[p]).ToList();

        var hash = Convert.ToHexStringLower(SHA256.HashData(System.IO.File.ReadAllBytes(path)));
        return new DatasetSplit(Resolve(content.Train), Resolve(content.Validation), path, hash);
    }

    private static SplitFileContent Draw(DatasetIndex index, SplitRequest request)
    {
        var total = index.Entries.Count;
        var validationSize = request.ValidationSize(total);
        if (validationSize < 1 || validationSize >= total)
        {
            throw new DatasetException(
                $"A validation set of {validationSize} images cannot be drawn from {total}: it must hold at least 1 image and leave at least 1 for training.");
        }

        var random = new Random(request.Seed);
        var classes = index.Entries.GroupBy(e => e.Label).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();

        // Each class gives its share, rounded down; the images left over by rounding come from the
        // largest classes, so the total is exactly what was asked for.
        var shares = classes.Select(c => (int)((long)validationSize * c.Length / total)).ToArray();
        foreach (var i in Enumerable.Range(0, classes.Length).OrderByDescending(i => classes[i].Length).Take(validationSize - shares.Sum()))
        {
            shares[i]++;
        }

        var validation = new List<string>(validationSize);
        var train = new List<string>(total - validationSize);
        for (var c = 0; c < classes.Length; c++)
        {
            var members = classes[c];
            random.Shuffle(members);
            validation.AddRange(members.Take(shares[c]).Select(e => e.RelativePath));
            train.AddRange(members.Skip(shares[c]).Select(e => e.RelativePath));
        }

        validation.Sort(StringComparer.Ordinal);
        train.Sort(StringComparer.Ordinal);
        return new SplitFileContent(FormatVersion, request.Seed, train, validation);
    }

    /// <summary>An excluded file may come or go: the split without it is still the same split.</summary>
    private static void CheckStillMatches(DatasetIndex index, SplitFileContent content, string path, SplitRequest request, ExcludeList? exclude)
    {
        bool Counts(string relativePath) => exclude is null || !exclude.Contains(relativePath);
        var onDisk = index.Entries.Select(e => e.RelativePath).ToHashSet(StringComparer.Ordinal);
        var inFile = content.Train.Concat(content.Validation).ToHashSet(StringComparer.Ordinal);
        var gone = inFile.Where(p => !onDisk.Contains(p) && Counts(p)).Order(StringComparer.Ordinal).ToList();
        var added = onDisk.Where(p => !inFile.Contains(p) && Counts(p)).Order(StringComparer.Ordinal).ToList();
        if (gone.Count > 0 || added.Count > 0)
        {
            var what = string.Join(" and ", new[]
            {
                gone.Count > 0 ? $"{gone.Count} file{(gone.Count == 1 ? " in the split is" : "s in the split are")} gone ({Examples.Of(gone)})" : null,
                added.Count > 0 ? $"{added.Count} file{(added.Count == 1 ? " on disk is" : "s on disk are")} not in the split ({Examples.Of(added)})" : null,
            }.OfType<string>());
            throw new DatasetException(
                $"The data in '{index.Root}' no longer matches the split file '{path}': {what}. " + (request.Resuming
                    ? "Restore the files to resume this run: it keeps its split and its exclude list, or start a new run."
                    : "Restore the files to keep comparing with earlier runs, list the files that came or went in an exclude list (--exclude), " +
                      "or give --split-file a new path (or delete this one) to draw a new split, whose validation set will differ from earlier runs'."));
        }

        // Sized against the images the split was drawn from: excluded files may have come or gone since.
        if (request.Explicit && request.ValidationSize(inFile.Count) != content.Validation.Count)
        {
            throw new DatasetException(
                $"The split file '{path}' holds {content.Validation.Count} validation images but {request.ValidationSize(inFile.Count)} were asked for. " +
                "Leave out --val-count/--val-fraction to reuse the split, give --split-file another path, or delete the file to draw a new split.");
        }
    }

    /// <summary>A split file's content; a <see cref="DatasetException"/> says why one cannot be read.</summary>
    internal static SplitFileContent Read(string path)
    {
        try
        {
            var content = JsonSerializer.Deserialize(System.IO.File.ReadAllBytes(path), SplitFileJson.Default.SplitFileContent);
            if (content is null || content.Version != FormatVersion)
            {
                throw new DatasetException($"The split file '{path}' is not a version {FormatVersion} split file. Delete it to draw a new split.");
            }

            return content;
        }
        catch (JsonException e)
        {
            throw new DatasetException($"The split file '{path}' cannot be read ({e.Message}). Delete it to draw a new split.");
        }
    }

    private static void Write(string path, SplitFileContent content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, content, SplitFileJson.Default.SplitFileContent));
    }
}
