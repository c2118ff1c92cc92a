using System.CommandLine;
using System.Globalization;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs compare`: runs side by side by time to accuracy, as a table and a plot.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("RUN_FOLDER") { Description = "Run folders (runs/<name>) to compare.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<FileInfo>("--out") { Description = "The PNG to write: validation accuracy against training seconds, one line per run.", Required = true };
        var target = RangedOption.Create("--target", "The validation accuracy whose time to reach the table shows.", 0.85, 0.0, 1.0);
        var command = new Command("compare", "Compare runs by time to accuracy: a table (best and target validation accuracy, " +
            "the seconds of training to each, test accuracy where evaluated) and a plot.") { runs, output, target };
        command.SetAction(result =>
        {
            var png = result.GetRequiredValue(output);
            if (png.Directory is { Exists: false })
            {
                throw new CommandLineError($"--out '{png.FullName}': the folder {png.DirectoryName} does not exist.");
            }

            var compared = result.GetRequiredValue(runs).Select(Read).ToList();
            var goal = result.GetValue(target);
            Console.Write(Table(compared, goal));
            using var plot = CurvePlots.AccuracyAgainstTime(compared, goal);
            plot.SavePng(png.FullName, 900, 560);
            Console.WriteLine($"Wrote {png.FullName}.");
            return 0;
        });
        return command;
    }

    private static ComparedRun Read(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new CommandLineError($"'{folder}' is not a folder; give run folders such as runs/<name>.");
        }

        try
        {
            return ComparedRun.Read(folder);
        }
        catch (InvalidDataException e)
        {
            throw new CommandLineError(e.Message);
        }
    }

    private static string Table(IReadOnlyList<ComparedRun> runs, double target)
    {
        var rows = runs.Select(run =>
        {
            var elapsed = run.ElapsedSeconds;
            var best = run.BestEpoch;
            var reached = run.FirstEpochReaching(target);
            return new[]
            {
                run.Name, run.Model ?? "?", run.Epochs.Count.ToString(CultureInfo.InvariantCulture), Seconds(elapsed[^1]),
                $"{run.Epochs[best].ValAccuracy:F4} (epoch {best + 1}, {Seconds(elapsed[best])})",
                reached is { } epoch ? $"epoch {epoch + 1}, {Seconds(elapsed[epoch])}" : "not reached",
                run.TestAccuracy is { } test ? $"{test:F4}{(run.TestTta == TestTimeAugmentation.None ? "" : $" (tta {CommandLineSpelling.Of(run.TestTta)})")}" : "not evaluated",
            };
        }).ToList();
        string[] header = ["run", "model", "epochs", "training", "best validation", $"first at {target:0.###}", "test"];
        var widths = header.Select((title, column) => rows.Select(row => row[column].Length).Append(title.Length).Max()).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd() + Environment.NewLine;
        return string.Create(CultureInfo.InvariantCulture, $"{Line(header)}{string.Concat(rows.Select(Line))}");
    }

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s");
}
