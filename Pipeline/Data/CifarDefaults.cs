namespace CatsDogs.Pipeline.Data;

/// <summary>Where the default data set lives, relative to the working folder (run.sh runs from the repository root).</summary>
internal static class CifarDefaults
{
    public const string Folder = "data/cifar-catsdogs";

    public static readonly string TrainFolder = Path.Combine(Folder, "train");

    public static readonly string TestFolder = Path.Combine(Folder, "test");

    /// <summary>Whether <paramref name="path"/> is the default data set or lies inside it.</summary>
    public static bool Contains(string path)
    {
        var folder = Path.GetFullPath(Folder);
        var full = Path.GetFullPath(path);
        return full == folder || full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
