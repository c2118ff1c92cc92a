namespace CatsDogs.Pipeline.Data;

/// <summary>
/// The images of one data set folder with their labels, in ordinal order of their relative
/// paths so that every later step (split, shuffle) is reproducible across machines.
/// </summary>
public sealed class DatasetIndex
{
    private static readonly HashSet<string> ImageExtensions =
        new(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp" };

    private static readonly Dictionary<string, ImageLabel> ClassFolderNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cat"] = ImageLabel.Cat,
        ["cats"] = ImageLabel.Cat,
        ["dog"] = ImageLabel.Dog,
        ["dogs"] = ImageLabel.Dog,
    };

    private DatasetIndex(string root, DatasetLayout layout, IReadOnlyList<ImageEntry> entries, IReadOnlyList<string> unread)
    {
        Root = root;
        Layout = layout;
        Entries = entries;
        Unread = unread;
    }

    public string Root { get; }

    public DatasetLayout Layout { get; }

    public IReadOnlyList<ImageEntry> Entries { get; }

    /// <summary>
    /// Image files under the root that the layout leaves out (in subfolders, beside class folders,
    /// unnamed in a Kaggle folder), as relative paths: data a user would otherwise lose without a word.
    /// </summary>
    public IReadOnlyList<string> Unread { get; }

    /// <summary>Says on <paramref name="log"/> how many image files are not read, with examples and the rule; nothing when all are.</summary>
    public void ReportUnread(TextWriter log)
    {
        if (Unread.Count == 0)
        {
            return;
        }

        var rule = Layout switch
        {
            DatasetLayout.ClassFolders => "only images directly in cat/ and dog/ (or cats/, dogs/) are read",
            DatasetLayout.KaggleFlat => "only cat.N and dog.N images directly in the folder are read",
            _ => "only images directly in the folder are read",
        };
        log.WriteLine($"warning: {Unread.Count} image file{(Unread.Count == 1 ? " is" : "s are")} not read ({Examples.Of(Unread)}): in '{Root}' {rule}.");
    }

    public int Count(ImageLabel label) => Entries.Count(e => e.Label == label);

    public string FullPath(ImageEntry entry) => Path.Combine(Root, entry.RelativePath);

    /// <summary>The same data set less the images an exclude list names.</summary>
    public DatasetIndex Without(ExcludeList exclude) =>
        new(Root, Layout, Entries.Where(e => !exclude.Contains(e.RelativePath)).ToList(), Unread);

    /// <summary>
    /// Reads a folder in any of the three layouts. With <paramref name="requireLabels"/> a
    /// folder that holds neither class (or only one) is rejected with a message that says what
    /// was expected; without it an unlabeled folder is accepted.
    /// </summary>
    public static DatasetIndex Scan(string directory, bool requireLabels)
    {
        var root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new DatasetException($"'{root}' is a file; the data must be a folder (one folder per class, Kaggle's flat train/, or unlabeled images).");
        }

        if (!Directory.Exists(root))
        {
            // The verbs default to the imported data set, so a fresh clone lands here before its first import.
            var remedy = CifarDefaults.Contains(root) ? " `catsdogs import-cifar` (which ./run.sh runs) puts the default data set there; run it first." : "";
            throw new DatasetException($"The data folder '{root}' does not exist.{remedy}");
        }

        var (layout, entries) = ScanClassFolders(root) is { Count: > 0 } foldered
            ? (DatasetLayout.ClassFolders, foldered)
            : ScanFlat(root);

        var unread = UnreadImages(root, entries);
        var elsewhere = unread.Count == 0 ? "" : $" ({unread.Count} image files are in places this layout does not read, such as {unread[0]}.)";
        if (requireLabels)
        {
            RequireBothClasses(root, layout, entries, elsewhere);
        }
        else if (entries.Count == 0)
        {
            throw new DatasetException($"The folder '{root}' holds no images ({string.Join(", ", ImageExtensions.Order())}).{elsewhere}");
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return new DatasetIndex(root, layout, entries, unread);
    }

    /// <summary>
    /// Image files given one by one, unlabeled, under the deepest folder that holds them all, so that
    /// their relative paths tell apart files of one name in different folders.
    /// </summary>
    public static DatasetIndex OfFiles(IReadOnlyCollection<string> files)
    {
        var paths = files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToList();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new DatasetException($"'{path}' does not exist.");
            }

            if (!ImageExtensions.Contains(Path.GetExtension(path)))
            {
                throw new DatasetException($"'{path}' is not an image file ({string.Join(", ", ImageExtensions.Order())}).");
            }
        }

        var root = paths.Select(Path.GetDirectoryName).Aggregate(CommonFolder)!;
        var entries = paths
            .Select(path => new ImageEntry(Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'), ImageLabel.Unlabeled, Path.GetFileNameWithoutExtension(path)))
            .OrderBy(e => e.RelativePath, StringComparer.Ordinal)
            .ToList();
        return new DatasetIndex(root, DatasetLayout.Files, entries, []);
    }

    private static string? CommonFolder(string? a, string? b)
    {
        while (a is not null && b is not null && !IsSameOrBelow(b, a))
        {
            a = Path.GetDirectoryName(a);
        }

        return a;
    }

    private static bool IsSameOrBelow(string folder, string ancestor) =>
        folder == ancestor || folder.StartsWith(Path.EndsInDirectorySeparator(ancestor) ? ancestor : ancestor + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static List<string> UnreadImages(string root, List<ImageEntry> entries)
    {
        var read = entries.Select(e => e.RelativePath).ToHashSet(StringComparer.Ordinal);
        // Links are not followed (a loop would never end) and the depth is bounded: a data folder
        // is shallow, and --data pointed at a parent must not walk a whole disk.
        var everything = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = 3,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
        };
        return Directory.EnumerateFiles(root, "*", everything)
            .Where(file => ImageExtensions.Contains(Path.GetExtension(file)))
            .Select(file => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(path => !read.Contains(path))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static List<ImageEntry> ScanClassFolders(string root)
    {
        var entries = new List<ImageEntry>();
        var folderOf = new Dictionary<ImageLabel, string>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (!ClassFolderNames.TryGetValue(name, out var label))
            {
                continue;
            }

            var images = EnumerateImages(folder).ToList();
            if (images.Count == 0)
            {
                continue;
            }

            // Two folders of one class are most often a copy and its original: read both, a split would put one image on both sides.
            if (!folderOf.TryAdd(label, name))
            {
                throw new DatasetException($"The folder '{root}' has two folders of {label.ToString().ToLowerInvariant()} images, {folderOf[label]}/ and {name}/. " +
                    "Keep one folder per class: move the images of one into the other, or remove the copy.");
            }

            entries.AddRange(images.Select(file => new ImageEntry($"{name}/{Path.GetFileName(file)}", label, Path.GetFileNameWithoutExtension(file))));
        }

        return entries;
    }

    private static (DatasetLayout, List<ImageEntry>) ScanFlat(string root)
    {
        var entries = new List<ImageEntry>();
        var labeled = 0;
        foreach (var file in EnumerateImages(root))
        {
            var name = Path.GetFileName(file);
            var label = LabelFromKaggleName(name);
            labeled += label == ImageLabel.Unlabeled ? 0 : 1;
            entries.Add(new ImageEntry(name, label, Path.GetFileNameWithoutExtension(file)));
        }

        if (labeled == 0)
        {
            return (DatasetLayout.Unlabeled, entries);
        }

        // A Kaggle folder with stray files: keep only the named ones, they are the data set.
        return (DatasetLayout.KaggleFlat, entries.Where(e => e.Label != ImageLabel.Unlabeled).ToList());
    }

    private static ImageLabel LabelFromKaggleName(string fileName)
    {
        var dot = fileName.IndexOf('.');
        return dot > 0 && ClassFolderNames.TryGetValue(fileName[..dot], out var label) ? label : ImageLabel.Unlabeled;
    }

    private static IEnumerable<string> EnumerateImages(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => ImageExtensions.Contains(Path.GetExtension(f)));

    private static void RequireBothClasses(string root, DatasetLayout layout, List<ImageEntry> entries, string elsewhere)
    {
        var cats = entries.Count(e => e.Label == ImageLabel.Cat);
        var dogs = entries.Count(e => e.Label == ImageLabel.Dog);
        if (cats > 0 && dogs > 0)
        {
            return;
        }

        const string expected = "Expected either Kaggle's flat layout (cat.0.jpg, dog.0.jpg, ... in one folder) " +
            "or one folder per class (cat/ and dog/, also cats/ and dogs/, in any case).";
        var found = layout == DatasetLayout.Unlabeled
            ? $"{entries.Count} images without a class in their name or folder"
            : $"{cats} cat and {dogs} dog images";
        throw new DatasetException($"The folder '{root}' does not hold both classes: found {found}. {expected}{elsewhere}");
    }
}
