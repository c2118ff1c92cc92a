using System.Text.RegularExpressions;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Training;

/// <summary>A checkpoint a full disk kept from being written is never claimed: the summary, the console and the exit code say what each file holds.</summary>
public sealed class CheckpointFailureTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [SmallDiskFact]
    public async Task Checkpoints_a_full_disk_refused_are_named_with_the_epoch_each_file_still_holds_and_the_exit_code_is_3()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        var run = _folder.Combine("runs", "full");
        var (firstExit, first) = await RunAsync("train", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
            "--runs-dir", _folder.Combine("runs"), "--name", "full", "--epochs", "1", "--image-size", "16", "--batch-size", "8",
            "--cpu-threads", "1", "--metrics-listen", "none", "--device", "cpu");
        Assert.True(firstExit == 0, first);

        // The checkpoints move to a disk with room for them and not one more.
        var checkpoints = Path.Combine(run, "checkpoints");
        var files = Directory.GetFiles(checkpoints);
        using var disk = SmallDisk.Mount((int)(files.Sum(file => new FileInfo(file).Length) / 1024) + 64);
        foreach (var file in files)
        {
            File.Copy(file, Path.Combine(disk.Path, Path.GetFileName(file)));
        }

        Directory.Delete(checkpoints, recursive: true);
        Directory.CreateSymbolicLink(checkpoints, disk.Path);
        var (exit, output) = await RunAsync("train", "--resume", run, "--epochs", "3", "--metrics-listen", "none");

        Assert.True(exit == ExitCodes.Environment, output);
        Assert.Contains("Could not write the last checkpoint (", output);
        Assert.Contains("warning: writing checkpoints/last.json for epoch 3 failed (", output);
        Assert.Contains("checkpoints/last.json holds epoch 1; --resume would go back to it.", output);
        Assert.Equal(1, Checkpoint.Inspect(Path.Combine(checkpoints, "last.json")).Epoch);
        // The best epoch is 1, 2 or 3; its file is named only if it holds that epoch.
        var best = output.Split('\n').Single(line => line.StartsWith("best epoch ", StringComparison.Ordinal));
        var bestEpoch = int.Parse(Regex.Match(best, @"^best epoch (\d+) ").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var held = Checkpoint.Inspect(Path.Combine(checkpoints, "best.json")).Epoch;
        Assert.Equal(bestEpoch == held, best.EndsWith("(checkpoints/best.json)", StringComparison.Ordinal));
        if (bestEpoch != held)
        {
            Assert.EndsWith($"(not saved: checkpoints/best.json holds epoch {held})", best);
        }

        Assert.Contains("warning: writing checkpoints/last.json", File.ReadAllText(Path.Combine(run, "summary.txt")));
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        await using var app = ChildProcess.CatsDogs(args);
        await app.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (app.ExitCode, app.Output);
    }
}
