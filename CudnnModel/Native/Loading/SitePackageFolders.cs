namespace CatsDogs.Model.Native.Loading;

/// <summary>
/// Finds Python package folders where pip puts NVIDIA's wheels (<c>nvidia/cudnn/lib</c>, ...), in
/// order: PYTHONPATH's, the active virtual environment's or conda prefix's, the environment of the
/// first <c>python3</c> on PATH, the user's, the system's and /opt/conda's. Only folders that exist
/// are returned.
/// </summary>
internal static class SitePackageFolders
{
    public static IReadOnlyList<string> Discover()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var prefixes = new[]
        {
            Environment.GetEnvironmentVariable("VIRTUAL_ENV"),
            Environment.GetEnvironmentVariable("CONDA_PREFIX"),
            PythonPrefix(Environment.GetEnvironmentVariable("PATH")),
            string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".local"),
            "/usr/local",
            "/usr",
            "/opt/conda",
        };
        var found = new List<string>(LibrarySearch.SplitPathList(Environment.GetEnvironmentVariable("PYTHONPATH")).Where(Directory.Exists));
        foreach (var prefix in prefixes.OfType<string>().Where(p => p.Length > 0))
        {
            found.AddRange(Under(prefix));
        }

        return found.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The prefix of the first <c>python3</c> on <paramref name="path"/>: a virtual environment
    /// used through PATH alone (as PyTorch images ship them) sets no VIRTUAL_ENV. The link is not
    /// followed, since a venv's python3 links to the system's interpreter.
    /// </summary>
    internal static string? PythonPrefix(string? path) =>
        LibrarySearch.SplitPathList(path)
            .Where(folder => Path.IsPathRooted(folder) && File.Exists(Path.Combine(folder, "python3")))
            .Select(folder => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))))
            .FirstOrDefault();

    /// <summary><c>prefix/lib/python3*/{site,dist}-packages</c> and Debian's <c>prefix/lib/python3/dist-packages</c>.</summary>
    internal static IEnumerable<string> Under(string prefix)
    {
        var lib = Path.Combine(prefix, "lib");
        if (!Directory.Exists(lib))
        {
            return [];
        }

        return Directory.EnumerateDirectories(lib, "python3*")
            .Order(StringComparer.Ordinal)
            .SelectMany(python => new[] { Path.Combine(python, "site-packages"), Path.Combine(python, "dist-packages") })
            .Where(Directory.Exists);
    }
}
