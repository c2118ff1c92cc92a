using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Tuning;

/// <summary>
/// `catsdogs tune` run as a user runs it, on small generated data sets on the CPU. What it measures depends on the
/// machine, so the tests check what it writes and says, never which setting won or how fast anything was.
/// </summary>
public sealed class TuneCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Tune_writes_its_trials_and_a_setting_that_train_applies_under_the_options_given()
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);

        var (exit, output) = await RunAsync("tune", "--device", "cpu", "--cpu-threads", "1", "--data", _folder.Combine("data"), "--image-size", "16",
            "--max-batch", "16", "--budget-seconds", "120", "--runs-dir", _folder.Combine("runs"), "--name", "tuned");

        Assert.True(exit == 0, output);
        var run = _folder.Combine("runs", "tuned");
        var tuning = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "tuning.json")))!;
        var provenance = tuning["provenance"]!;
        Assert.Equal(_folder.Combine("data"), (string)provenance["data"]!);
        Assert.Equal(48, (int)provenance["images"]!);
        Assert.Equal(("compact", 16, "cpu"), ((string)provenance["model"]!, (int)provenance["imageSize"]!, (string)provenance["device"]!));
        Assert.Contains(" tune ", (string)provenance["session"]!["commandLine"]!);

        // Both batch sizes were tried with train's input defaults, then input settings at the batch chosen; the setting is a measured trial's.
        var trials = tuning["trials"]!.AsArray().Select(trial => trial!).ToList();
        Assert.Equal([8, 16], trials.Where(trial => (string)trial["phase"]! == "batch").Select(trial => (int)trial["settings"]!["batchSize"]!));
        var input = tuning["settings"]!["input"]!;
        var chosen = trials.Single(trial => (int)trial["number"]! == (int)tuning["chosen"]!);
        Assert.Equal("measured", (string)chosen["outcome"]!);
        foreach (var key in new[] { "batchSize", "decodeThreads", "prefetch", "queuePerThread", "cache" })
        {
            Assert.Equal(chosen["settings"]![key]!.ToJsonString(), input[key]!.ToJsonString());
        }

        Assert.Null(input["readThreads"]);
        Assert.Equal(2, tuning["reasons"]!.AsArray().Count);

        // The table, in the output and in summary.txt, has a row per trial; the plot is a PNG.
        var summary = File.ReadAllText(Path.Combine(run, "summary.txt"));
        Assert.Contains("  #  phase  batch  threads  prefetch  cache    images/s  input wait  cpu cores  memory MB  seconds", summary);
        Assert.Equal(trials.Count, summary.Split('\n').Count(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s+\d+  (batch|input) ")));
        Assert.Contains(summary.TrimEnd(), output.Replace("\r", ""));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(run, "figures", "trials.png"))[..4]);

        // train takes the batch size and input settings, and an option given on the command line wins over its value.
        (exit, output) = await RunAsync("train", "--device", "cpu", "--cpu-threads", "1", "--metrics-listen", "none", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", "trained", "--epochs", "1", "--image-size", "16",
            "--tuning", Path.Combine(run, "tuning.json"), "--prefetch", "3");

        Assert.True(exit == 0, output);
        var trained = JsonNode.Parse(File.ReadAllText(_folder.Combine("runs", "trained", "config.json")))!["input"]!;
        Assert.Equal(3, (int)trained["prefetch"]!);
        foreach (var key in new[] { "batchSize", "decodeThreads", "queuePerThread", "cache" })
        {
            Assert.Equal(input[key]!.ToJsonString(), trained[key]!.ToJsonString());
        }
    }

    [Fact]
    public async Task A_budget_too_short_for_the_search_still_gives_a_setting_and_says_what_it_did_not_try()
    {
        StripesDataset.Write(_folder, "data", perClass: 128, side: 16);

        var (exit, output) = await RunAsync("tune", "--device", "cpu", "--cpu-threads", "1", "--data", _folder.Combine("data"), "--image-size", "16",
            "--budget-seconds", "10", "--runs-dir", _folder.Combine("runs"), "--name", "hurried");

        Assert.True(exit == 0, output);
        var tuning = JsonNode.Parse(File.ReadAllText(_folder.Combine("runs", "hurried", "tuning.json")))!;
        // Batch sizes 8 to 128 and the input settings after them take far more than 10 s.
        var notTried = tuning["notTried"]!.AsArray().Select(line => (string)line!).ToList();
        Assert.NotEmpty(notTried);
        Assert.All(notTried, line => Assert.Contains($"not tried: {line}", output));
        Assert.Contains(tuning["trials"]!.AsArray(), trial => (string)trial!["outcome"]! == "measured");
        Assert.Equal(10, (int)tuning["provenance"]!["budgetSeconds"]!);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Runs the app in the temp folder, where a disk cache tried by tune (data/cache/) lands too.</summary>
    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        await using var app = ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "catsdogs.dll"), .. args], new Dictionary<string, string>(), _folder.Path);
        await app.WaitForExitAsync(TimeSpan.FromMinutes(4));
        return (app.ExitCode, app.Output);
    }
}

/// <summary>What tune refuses before it measures anything: exit 2, one message, and no run folder.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TuneUserErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData("missing", "error: The data folder '")]
    [InlineData("--model=vgg16", "error: --model must be one of baseline, deep6, compact, vgg6, resnet9; got 'vgg16'.")]
    [InlineData("--budget-seconds=5", "error: --budget-seconds must be between 10 and 86400; got 5.")]
    [InlineData("--budget-seconds=100000", "error: --budget-seconds must be between 10 and 86400; got 100000.")]
    [InlineData("--max-batch=4", "error: --max-batch must be between 8 and 65536; got 4.")]
    [InlineData("--model=deep6", "the image is too small for this model.")]
    [InlineData("few", "tune needs at least 16, two batches of the smallest size it tries.")]
    public void Bad_input_is_refused_with_exit_2_before_anything_is_made(string problem, string expected)
    {
        StripesDataset.Write(_folder, "data", perClass: 24, side: 16);
        StripesDataset.Write(_folder, "few", perClass: 3, side: 16);
        string[] data = problem switch
        {
            "missing" => ["--data", _folder.Combine("missing")],
            "few" => ["--data", _folder.Combine("few")],
            _ => ["--data", _folder.Combine("data"), problem],
        };

        var (exit, output) = CliRun.Run(["tune", "--device", "cpu", "--image-size", "16", "--runs-dir", _folder.Combine("runs"), .. data]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.False(Directory.Exists(_folder.Combine("runs")));
    }

    public void Dispose() => _folder.Dispose();
}
