namespace CatsDogs.Pipeline.Runs;

/// <summary>
/// The one folder a run writes to: runs/&lt;name&gt;/ with its metrics, checkpoints, figures,
/// summary and GPU log. Nothing a run makes is written anywhere else.
/// </summary>
internal sealed class RunFolder
{
    private RunFolder(string path) => Path = path;

    public string Path { get; }

    public string Name => System.IO.Path.GetFileName(Path);

    public const string CheckpointsFolderName = "checkpoints";

    public string Checkpoints => Sub(CheckpointsFolderName);

    public string Figures => Sub("figures");

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Makes a new run folder. A name that is taken is refused, so a run never mixes its files
    /// with another's; without a name, the verb and the local time make one.
    /// </summary>
    public static RunFolder CreateNew(string runsDirectory, string? name, string verb)
    {
        var path = Available(runsDirectory, name ?? DefaultName(verb));
        Directory.CreateDirectory(path);
        return new RunFolder(path);
    }

    /// <summary>The run folder of a checkpoint in its checkpoints/ folder; null for a checkpoint kept anywhere else.</summary>
    public static string? OfCheckpoint(FileInfo checkpoint) =>
        checkpoint.Directory is { Name: CheckpointsFolderName, Parent: { } run } ? run.FullName : null;

    /// <summary>The verb and the local time, e.g. "train-20261130-081309".</summary>
    public static string DefaultName(string verb) => $"{verb}-{DateTime.Now:yyyyMMdd-HHmmss}";

    /// <summary>
    /// The folder a new run named <paramref name="name"/> would get; throws if the name is no folder
    /// name or is taken. A verb that works a while before it makes its folder asks first.
    /// </summary>
    public static string Available(string runsDirectory, string name)
    {
        if (name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
        {
            throw new Cli.CommandLineError($"--name '{name}' cannot be a folder name.");
        }

        if (System.IO.File.Exists(runsDirectory))
        {
            throw new Cli.CommandLineError($"--runs-dir '{System.IO.Path.GetFullPath(runsDirectory)}' is a file; it must be a folder (made if missing).");
        }

        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(runsDirectory, name));
        if (System.IO.File.Exists(path))
        {
            throw new Cli.CommandLineError($"'{path}' is a file; give another --name.");
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new Cli.CommandLineError($"The run folder '{path}' already exists; give another --name, --resume it (training), or delete it.");
        }

        return path;
    }

    /// <summary>Opens the folder of an earlier run, to resume it.</summary>
    public static RunFolder OpenExisting(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.File.Exists(full))
        {
            throw new Cli.CommandLineError($"'{full}' is a file; give the run's folder (runs/<name>).");
        }

        if (!Directory.Exists(full))
        {
            throw new Cli.CommandLineError($"The run folder '{full}' does not exist.");
        }

        return new RunFolder(full);
    }

    private string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }
}
