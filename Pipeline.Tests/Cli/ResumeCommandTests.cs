using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Cli;

/// <summary>`train --resume` continues a run with the settings it started with, and refuses what it would otherwise ignore.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ResumeCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public ResumeCommandTests() => Run = TinyRun.Train(_folder);

    private string Run { get; }

    [Fact]
    public void A_setting_given_with_resume_is_refused_and_the_run_is_left_as_it_was()
    {
        var config = File.ReadAllText(Path.Combine(Run, "config.json"));

        var (exit, output) = CliRun.Run("train", "--resume", Run, "--epochs", "2", "--lr", "0.1", "--model", "deep6", "--metrics-listen", "none");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--lr, --model cannot be given", output);
        Assert.Equal(config, File.ReadAllText(Path.Combine(Run, "config.json")));
    }

    [Fact]
    public void Resuming_a_finished_run_without_more_epochs_is_refused()
    {
        var summary = File.ReadAllText(Path.Combine(Run, "summary.txt"));

        var (exit, output) = CliRun.Run("train", "--resume", Run, "--epochs", "1", "--metrics-listen", "none");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("has trained 1 epoch; give --epochs more than 1 (the new total) to train further.", output);
        Assert.StartsWith("error: ", output);
        Assert.Equal(summary, File.ReadAllText(Path.Combine(Run, "summary.txt")));
    }

    [Fact]
    public void More_epochs_on_another_thread_count_and_deterministic_continue_the_run_which_keeps_them()
    {
        Assert.Contains("\"deterministic\": false", File.ReadAllText(Path.Combine(Run, "config.json")));

        var (exit, output) = CliRun.Run("train", "--resume", Run, "--epochs", "2", "--cpu-threads", "2", "--deterministic", "--metrics-listen", "none");

        Assert.True(exit == 0, output);
        Assert.Contains("Resuming first at epoch 2", output);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(Run, "metrics.csv")).Length);
        var config = File.ReadAllText(Path.Combine(Run, "config.json"));
        Assert.Contains("\"deterministic\": true", config);
        Assert.Contains("\"cpuThreads\": 2", config);
    }

    [Fact]
    public void A_run_that_stopped_early_is_not_resumed_into_stopping_again()
    {
        var (exit, output) = CliRun.Run("train", "--device", "cpu", "--cpu-threads", "1", "--metrics-listen", "none", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", "early", "--epochs", "30",
            "--image-size", "16", "--batch-size", "8", "--early-stop", "1", "--min-delta", "1");
        Assert.True(exit == 0, output);
        var early = _folder.Combine("runs", "early");
        var metrics = File.ReadAllText(Path.Combine(early, "metrics.csv"));

        (exit, output) = CliRun.Run("train", "--resume", early, "--metrics-listen", "none");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("stopped early after 2 epochs", output);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(early, "metrics.csv")));
    }

    [Fact]
    public void A_runs_dir_that_is_a_file_is_refused_before_anything_is_written()
    {
        var file = _folder.Combine("runs-file");
        File.WriteAllText(file, "");

        var (exit, output) = CliRun.Run("train", "--device", "cpu", "--metrics-listen", "none", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("other-split.json"), "--runs-dir", file);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --runs-dir '{file}' is a file", output);
        Assert.False(File.Exists(_folder.Combine("other-split.json")));
    }

    public void Dispose() => _folder.Dispose();
}
