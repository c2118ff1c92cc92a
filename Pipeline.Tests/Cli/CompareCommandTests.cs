using CatsDogs.Pipeline.Training;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Cli;

/// <summary>`compare`: runs set side by side by the training seconds each took to reach its accuracies.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class CompareCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void The_table_sums_epoch_seconds_up_to_the_best_epoch_and_the_first_at_the_target()
    {
        var trained = TinyRun.Train(_folder);
        var written = Written("written", (0.70, 10.5), (0.86, 20.25), (0.84, 30.0));
        var png = _folder.Combine("compare.png");

        var (exit, output) = CliRun.Run("compare", trained, written, "--out", png, "--target", "0.85");

        Assert.True(exit == 0, output);
        var rows = output.Split('\n');
        var row = Assert.Single(rows, line => line.StartsWith("written ", StringComparison.Ordinal));
        Assert.Matches(@"^written\s+\?\s+3\s+61 s\s+0\.8600 \(epoch 2, 31 s\)\s+epoch 2, 31 s\s+not evaluated$", row);
        Assert.Matches(@"^first\s+compact\s+1\s+\d+ s\s+\d\.\d{4} \(epoch 1, \d+ s\)", Assert.Single(rows, line => line.StartsWith("first ", StringComparison.Ordinal)));
        using var image = SKBitmap.Decode(png);
        Assert.Equal((900, 560), (image.Width, image.Height));
    }

    [Fact]
    public void A_run_that_never_reaches_the_target_says_so()
    {
        var written = Written("slow", (0.60, 5.0), (0.70, 5.0));

        var (exit, output) = CliRun.Run("compare", written, "--out", _folder.Combine("slow.png"), "--target", "0.9");

        Assert.True(exit == 0, output);
        Assert.Matches(@"slow\s+\?\s+2\s+10 s\s+0\.7000 \(epoch 2, 10 s\)\s+not reached", output);
    }

    [Fact]
    public void A_folder_that_is_missing_or_holds_no_epochs_is_refused_and_no_figure_is_written()
    {
        var empty = Directory.CreateDirectory(_folder.Combine("empty")).FullName;
        var png = _folder.Combine("refused.png");

        var (missingExit, missing) = CliRun.Run("compare", _folder.Combine("absent"), "--out", png);
        var (emptyExit, noEpochs) = CliRun.Run("compare", empty, "--out", png);

        Assert.Equal((2, 2), (missingExit, emptyExit));
        Assert.Contains("is not a folder", missing);
        Assert.Contains($"'{empty}' has no finished epoch to compare", noEpochs);
        Assert.False(File.Exists(png));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A run folder holding only a metrics.csv with these validation accuracies and epoch seconds.</summary>
    private string Written(string name, params (double ValAccuracy, double Seconds)[] epochs)
    {
        var folder = Directory.CreateDirectory(_folder.Combine("runs", name)).FullName;
        var csv = new MetricsCsv(Path.Combine(folder, "metrics.csv"));
        for (var i = 0; i < epochs.Length; i++)
        {
            csv.Append(new EpochRecord(i, 0.5, 0.75, 0.5, epochs[i].ValAccuracy, 0.05, 400, 0, epochs[i].Seconds));
        }

        return folder;
    }
}
