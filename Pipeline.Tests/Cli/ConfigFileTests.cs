using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Cli;

/// <summary>`train --config FILE`: settings from a file in config.json's shape, under the options given on the command line.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConfigFileTests : IDisposable
{
    /// <summary>metrics.csv's columns that time the run, which no two runs share.</summary>
    private static readonly string[] TimingColumns = ["images_per_s", "input_wait_fraction", "epoch_seconds"];

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Training_again_from_a_runs_config_json_reproduces_the_run()
    {
        StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);
        var (exit, output) = await ChildProcess.RunCatsDogsAsync([.. TinyRun.Arguments(_folder, "first"), "--lr", "0.1", "--schedule", "step", "--seed", "7"]);
        Assert.True(exit == 0, output);
        var first = _folder.Combine("runs", "first");

        (exit, output) = await ChildProcess.RunCatsDogsAsync(
            "train", "--config", Path.Combine(first, "config.json"), "--runs-dir", _folder.Combine("runs"), "--name", "again", "--metrics-listen", "none");

        Assert.True(exit == 0, output);
        var again = _folder.Combine("runs", "again");
        var settings = Settings(again);
        Assert.Equal(Settings(first).ToJsonString(), settings.ToJsonString());
        Assert.Equal(7, (int)settings["train"]!["seed"]!);
        Assert.Equal("step", (string)settings["train"]!["schedule"]!);
        Assert.Equal(Learning(first), Learning(again));
    }

    [Fact]
    public void Options_given_win_over_the_files_settings_which_win_over_the_defaults()
    {
        StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);
        var file = _folder.Write("settings.json", """
            {
              "train": { "epochs": 3, "learningRate": 0.2, "optimizer": "adamw", "schedule": "onecycle", "validationTta": "flip" },
              "input": { "fit": "crop" }
            }
            """u8.ToArray());

        var (exit, output) = CliRun.Run([.. TinyRun.Arguments(_folder, "layered"), "--config", file, "--lr", "0.01"]);

        Assert.True(exit == 0, output);
        var settings = Settings(_folder.Combine("runs", "layered"));
        var train = settings["train"]!;
        Assert.Equal(1, (int)train["epochs"]!);
        Assert.Equal(0.01f, (float)train["learningRate"]!);
        Assert.Equal("adamw", (string)train["optimizer"]!);
        Assert.Equal("onecycle", (string)train["schedule"]!);
        Assert.Equal("flip", (string)train["validationTta"]!);
        Assert.Equal("crop", (string)settings["input"]!["fit"]!);
        Assert.Equal(16, (int)settings["input"]!["imageSize"]!);
        Assert.Equal("valloss", (string)train["monitor"]!);
        Assert.Equal(0.9f, (float)train["momentum"]!);
        Assert.Equal("cpu", (string)settings["device"]!);
    }

    [Fact]
    public void A_saved_config_holds_settings_only_none_of_the_pipelines_internals()
    {
        StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);
        var (exit, output) = CliRun.Run(TinyRun.Arguments(_folder, "first"));
        Assert.True(exit == 0, output);

        var settings = Settings(_folder.Combine("runs", "first"));

        var input = settings["input"]!.AsObject();
        Assert.DoesNotContain(input, pair => pair.Key is "consumerHeld" or "cacheFolder" or "poolSize" or "seed");
        Assert.DoesNotContain(input["augment"]!.AsObject(), pair => pair.Key == "isIdentity");
        Assert.Equal("sgd", (string)settings["train"]!["optimizer"]!);
    }

    [Fact]
    public void Run_sh_defaults_are_settings_train_reads()
    {
        StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);

        var (exit, output) = CliRun.Run([.. TinyRun.Arguments(_folder, "defaults"), "--config", RepoPaths.Of("run.defaults.json")]);

        Assert.True(exit == 0, output);
        var defaults = JsonNode.Parse(File.ReadAllText(RepoPaths.Of("run.defaults.json")))!;
        var train = Settings(_folder.Combine("runs", "defaults"))["train"]!;
        Assert.Equal((string)defaults["train"]!["monitor"]!, (string)train["monitor"]!);
        Assert.Equal((string)defaults["train"]!["schedule"]!, (string)train["schedule"]!);
        Assert.Equal((string)defaults["train"]!["validationTta"]!, (string)train["validationTta"]!);
        Assert.Equal((string)defaults["train"]!["model"]!, (string)train["model"]!);
        Assert.Equal((double)defaults["train"]!["learningRate"]!, (double)train["learningRate"]!, 6);
        Assert.Equal((double)defaults["input"]!["augment"]!["translate"]!, (double)Settings(_folder.Combine("runs", "defaults"))["input"]!["augment"]!["translate"]!, 6);
        Assert.Equal(1, (int)train["epochs"]!);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{ \"train\": { \"epochs\": 2, } }", "is not valid JSON")]
    [InlineData("{ \"train\": { \"lerningRate\": 0.1 } }", ": train.lerningRate is not a setting; the settings there are model, epochs,")]
    [InlineData("{ \"train\": { \"epochs\": \"two\" } }", ": train.epochs must be a whole number; it is \"two\".")]
    [InlineData("{ \"input\": { \"fit\": \"squash\" } }", ": input.fit must be one of stretch, crop; it is \"squash\".")]
    [InlineData("{ \"input\": { \"augment\": { \"shear\": 2 } } }", ": --shear must be between 0 and 1; got 2.")]
    public void A_bad_settings_file_is_one_line_naming_it_and_nothing_is_made(string? content, string expected)
    {
        var file = _folder.Combine("settings.json");
        if (content is not null)
        {
            File.WriteAllText(file, content);
        }

        var (exit, output) = CliRun.Run([.. TinyRun.Arguments(_folder, "bad"), "--config", file]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --config '{file}'", output);
        Assert.Contains(expected, output);
        Assert.Single(output.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(_folder.Combine("runs")));
        Assert.False(File.Exists(_folder.Combine("split.json")));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A run's config.json without its provenance.</summary>
    private static JsonObject Settings(string run)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!.AsObject();
        Assert.True(config.Remove("provenance"));
        return config;
    }

    /// <summary>metrics.csv, each row without its timing columns.</summary>
    private static List<string> Learning(string run)
    {
        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Select(line => line.Split(',')).ToList();
        var kept = Enumerable.Range(0, rows[0].Length).Where(column => !TimingColumns.Contains(rows[0][column])).ToList();
        return rows.Select(row => string.Join(',', kept.Select(column => row[column]))).ToList();
    }
}
