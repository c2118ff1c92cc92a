using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>Options more than one verb takes, made once so their names and help stay the same everywhere.</summary>
internal static class SharedOptions
{
    public static Option<int> Seed(string what) => RangedOption.Create("--seed", $"Seed for {what}.", 42, 0, int.MaxValue);

    public static Option<DirectoryInfo> Data(string description, string? defaultPath = null)
    {
        var option = new Option<DirectoryInfo>("--data") { Description = description, Required = defaultPath is null };
        if (defaultPath is not null)
        {
            option.DefaultValueFactory = _ => new DirectoryInfo(defaultPath);
        }

        return option;
    }

    /// <summary>The network's input size, which the training verbs share: a tuning is measured for one.</summary>
    public static Option<int> ImageSize() => RangedOption.Create("--image-size", "Side of the square network input, in pixels.", 64, 8, 1024);

    public static Option<FileInfo?> Exclude() => new("--exclude") { Description = "File of relative image paths to leave out, one a line (explore writes one: most-skewed.txt)." };

    public static Option<string> RunsDirectory() => new("--runs-dir") { Description = "Folder that holds one folder per run.", DefaultValueFactory = _ => "runs" };

    public static Option<string?> RunName() => new("--name") { Description = "Name of this run's folder under --runs-dir; by default the verb and the time." };
}
