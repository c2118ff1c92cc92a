using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Model.Backends;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Tests.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Tuning;

/// <summary>`train --tuning FILE` with a tuning.json written here: where its settings sit among the others, and which files it refuses.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TrainTuningTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public TrainTuningTests() => StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);

    [Fact]
    public void The_tuning_wins_over_the_config_file_and_the_command_line_over_both()
    {
        var config = _folder.Write("settings.json", """{ "input": { "batchSize": 32, "prefetch": 6, "decodeThreads": 2, "augment": { "shear": 0 } } }"""u8.ToArray());
        var tuning = WriteTuning(new TunedInput(16, 1, null, null, 3, 2, CacheMode.Off));

        var (exit, output) = CliRun.Run([.. Arguments("layered"), "--config", config, "--tuning", tuning, "--prefetch", "5"]);

        Assert.True(exit == 0, output);
        var input = Input("layered");
        Assert.Equal(16, (int)input["batchSize"]!);
        Assert.Equal(1, (int)input["decodeThreads"]!);
        Assert.Equal(3, (int)input["queuePerThread"]!);
        Assert.Equal("off", (string)input["cache"]!);
        Assert.Equal(5, (int)input["prefetch"]!);
        Assert.Equal(0, (double)input["augment"]!["shear"]!);
    }

    [Theory]
    [InlineData(null, "does not exist.")]
    [InlineData("{ \"settings\": ", "is not valid JSON")]
    [InlineData("[]", "holds no settings: it must be a JSON object of them, as tune's tuning.json is.")]
    [InlineData("settings.input.prefetch=\"two\"", ": settings.input.prefetch must be a whole number; it is \"two\".")]
    [InlineData("settings.input.prefetch=0", ": --prefetch must be between 1 and 1024; got 0.")]
    [InlineData("settings.input.cache=\"tape\"", ": settings.input.cache must be one of auto, memory, disk, off; it is \"tape\".")]
    [InlineData("settings.input.threads=2", ": settings.input.threads is not a setting; the settings there are batchSize,")]
    [InlineData("provenance.model=null", ": provenance.model must be a string; it is null.")]
    public void A_garbled_tuning_is_one_line_naming_it_and_nothing_is_made(string? change, string expected)
    {
        var file = _folder.Combine("tuning.json");
        if (change is not null)
        {
            File.WriteAllText(file, change.StartsWith("settings.", StringComparison.Ordinal) || change.StartsWith("provenance.", StringComparison.Ordinal)
                ? Changed(WriteTuning(new TunedInput(16, 1, null, null, 4, 2, CacheMode.Off)), change)
                : change);
        }

        var (exit, output) = CliRun.Run([.. Arguments("garbled"), "--tuning", file]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --tuning '{file}'", output);
        Assert.Contains(expected, output);
        Assert.Single(output.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(_folder.Combine("runs")));
    }

    [Theory]
    [InlineData("compact", 24, "cpu", "was measured for compact at 24x24, but this run trains compact at 16x16")]
    [InlineData("baseline", 16, "cpu", "was measured for baseline at 16x16, but this run trains compact at 16x16")]
    [InlineData("compact", 16, "cuda", "was measured on the cuda, but this run asks for --device cpu")]
    public void A_tuning_for_another_model_image_size_or_device_is_refused(string model, int imageSize, string device, string expected)
    {
        var tuning = WriteTuning(new TunedInput(16, 1, null, null, 4, 2, CacheMode.Off), model, imageSize, Enum.Parse<DeviceKind>(device, ignoreCase: true));

        var (exit, output) = CliRun.Run([.. Arguments("other"), "--tuning", tuning]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, output);
        Assert.Contains("or leave --tuning out.", output);
        Assert.False(Directory.Exists(_folder.Combine("runs")));
    }

    [Fact]
    public void A_resumed_run_keeps_its_settings_and_takes_no_tuning()
    {
        var run = TinyRun.Train(_folder);

        var (exit, output) = CliRun.Run("train", "--resume", run, "--epochs", "2", "--metrics-listen", "none", "--tuning", WriteTuning(new TunedInput(16, 1, null, null, 4, 2, CacheMode.Off)));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--tuning cannot be given", output);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>TinyRun's training but for the input settings a tuning gives.</summary>
    private string[] Arguments(string name) =>
    [
        "train", "--device", "cpu", "--cpu-threads", "1", "--metrics-listen", "none", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
        "--runs-dir", _folder.Combine("runs"), "--name", name, "--epochs", "1", "--image-size", "16",
    ];

    private JsonNode Input(string run) => JsonNode.Parse(File.ReadAllText(_folder.Combine("runs", run, "config.json")))!["input"]!;

    /// <summary>A tuning.json as tune writes one, with one made-up trial, measured for compact at 16x16 on the CPU unless told otherwise.</summary>
    private string WriteTuning(TunedInput input, string model = "compact", int imageSize = 16, DeviceKind device = DeviceKind.Cpu)
    {
        var settings = new TrialSettings(input.BatchSize, input.DecodeThreads, input.Prefetch, input.Cache, input.QueuePerThread);
        var trial = new Trial(1, TrialPhase.Batch, settings, TrialOutcome.Measured, 4.5, 1000, new TrialFigures(100, 0.001, 1.2, 0.1, 0, 1, 3, 40));
        var path = _folder.Combine($"tuning-{Guid.NewGuid():N}.json");
        new TuningFile(new TunedSettings(input), new TuningProvenance(_folder.Combine("data"), 48, model, imageSize, device, 60, 512, "turbojpeg",
            RunSession.OfThisProcess(DateTime.UtcNow, "test")), 1, ["made up", "made up"], [trial], []).Save(path);
        return path;
    }

    /// <summary>The file at <paramref name="path"/> with one value changed: "a.b.c=JSON".</summary>
    private static string Changed(string path, string change)
    {
        var (keys, value) = (change.Split('=', 2)[0].Split('.'), change.Split('=', 2)[1]);
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var parent = keys[..^1].Aggregate(root, (node, key) => node[key]!);
        parent[keys[^1]] = JsonNode.Parse(value);
        return root.ToJsonString();
    }
}
