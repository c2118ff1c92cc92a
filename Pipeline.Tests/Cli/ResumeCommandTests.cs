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
    public void A_settings_file_given_with_resume_is_refused_and_the_run_is_left_as_it_was()
    {
        var config = File.ReadAllText(Path.Combine(Run, "config.json"));

        var (exit, output) = CliRun.Run("train", "--resume", Run, "--config", Path.Combine(Run, "config.json"), "--epochs", "2", "--metrics-listen", "none");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("error: --config cannot be given with --resume", output);
        Assert.Equal(config, File.ReadAllText(Path.Combine(Run, "config.json")));
    }

    [Fact]
    public void A_run_saved_before_provenance_resumes_and_is_saved_again_in_todays_shape()
    {
        // A config.json as this program wrote it before: PascalCase enums, the optimizer as an object, pipeline internals.
        var config = Path.Combine(Run, "config.json");
        File.WriteAllText(config, $$"""
            {
              "data": "{{_folder.Combine("data")}}",
              "splitFile": "{{_folder.Combine("split.json")}}",
              "validationCount": null,
              "validationFraction": 0.2,
              "exclude": null,
              "device": "Cpu",
              "cpuThreads": 1,
              "precision": "Tf32",
              "deterministic": false,
              "train": {
                "model": "compact",
                "epochs": 1,
                "optimizer": { "kind": "sgd", "momentum": 0.9, "nesterov": false, "weightDecay": 0.0005 },
                "learningRate": 0.05,
                "schedule": "Cosine",
                "warmupEpochs": 1,
                "stepEpochs": 10,
                "stepGamma": 0.1,
                "plateauFactor": 0.1,
                "plateauPatience": 3,
                "earlyStopPatience": null,
                "earlyStopMinDelta": 0,
                "clipGradientNorm": null,
                "monitor": "ValLoss",
                "logEvery": 20,
                "seed": 42
              },
              "input": {
                "batchSize": 8,
                "imageSize": 16,
                "decodeThreads": 1,
                "queuePerThread": 4,
                "prefetch": 4,
                "consumerHeld": 2,
                "dropLastPartial": false,
                "fit": "Stretch",
                "augment": { "flip": true, "shear": 0.2, "zoom": 0.2, "isIdentity": false },
                "maxPixels": 50000000,
                "seed": 42,
                "decoder": "Auto",
                "cache": "Auto",
                "cacheFolder": "data/cache",
                "poolSize": 7
              }
            }
            """);

        var (exit, output) = CliRun.Run("train", "--resume", Run, "--epochs", "2", "--metrics-listen", "none");

        Assert.True(exit == 0, output);
        Assert.Contains("Resuming first at epoch 2", output);
        var saved = File.ReadAllText(config);
        Assert.Contains("\"schedule\": \"cosine\"", saved);
        Assert.Contains("\"optimizer\": \"sgd\"", saved);
        Assert.DoesNotContain("poolSize", saved);
        Assert.Single(System.Text.Json.Nodes.JsonNode.Parse(saved)!["provenance"]!["sessions"]!.AsArray());
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
