namespace CatsDogs.Pipeline.Data;

/// <summary>
/// Relative paths to leave out of a data set, one a line; '#' starts a comment. The list
/// `catsdogs explore` writes of the most skewed images is in this format.
/// </summary>
public sealed class ExcludeList
{
    private readonly HashSet<string> _paths;

    private ExcludeList(HashSet<string> paths) => _paths = paths;

    public int Count => _paths.Count;

    public bool Contains(string relativePath) => _paths.Contains(relativePath);

    /// <summary>The entries none of <paramref name="known"/> matches: a typo, or a path not relative to the data folder.</summary>
    public IReadOnlyList<string> Unmatched(IEnumerable<string> known)
    {
        var all = known.ToHashSet(StringComparer.Ordinal);
        return _paths.Where(path => !all.Contains(path)).Order(StringComparer.Ordinal).ToList();
    }

    public static ExcludeList Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new DatasetException($"The exclude list '{Path.GetFullPath(file)}' does not exist.");
        }

        var paths = File.ReadLines(file)
            .Select(line => (line.IndexOf('#') is var hash and >= 0 ? line[..hash] : line).Trim().Replace('\\', '/'))
            .Select(line => line.StartsWith("./", StringComparison.Ordinal) ? line[2..] : line)
            .Where(line => line.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
        return new ExcludeList(paths);
    }
}
