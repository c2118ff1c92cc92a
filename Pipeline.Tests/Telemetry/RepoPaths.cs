namespace CatsDogs.Tests.Telemetry;

/// <summary>Files of the repository the tests run from, and the tools its install script provides.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(string relative) => Path.Combine(Root, relative);

    /// <summary>The full path of a tool on PATH, or a failure that says how to get it.</summary>
    public static string Tool(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"'{name}' is not on PATH; run scripts/install-test-deps.sh (it installs Debian's prometheus package).");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CatsDogs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CatsDogs.sln above {AppContext.BaseDirectory}.");
    }
}
