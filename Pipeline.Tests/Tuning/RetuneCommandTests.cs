using System.Diagnostics;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Retune;
using CatsDogs.Tests.Dataflow;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Tuning;

/// <summary>
/// `catsdogs retune` against a real running `bench input`: the change is in force when the command
/// answers, logged with its source, in settings.csv; everything that cannot be done is exit 2 and
/// changes nothing, a garbled request included, and the run goes on.
/// </summary>
public sealed class RetuneCommandTests : IClassFixture<RetuneCommandTests.Files>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly PipelineHarness _files;

    public RetuneCommandTests(Files files) => _files = files.Harness;

    public sealed class Files : IDisposable
    {
        internal PipelineHarness Harness { get; } = new(24);

        public void Dispose() => Harness.Dispose();
    }

    [Fact]
    public async Task A_running_bench_takes_a_retune_logs_it_and_writes_it_to_settings_csv()
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b");
        var run = runs.Combine("b");

        var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "7", "--decode-threads", "1", "--read-threads", "3");

        Assert.True(exit == 0, output);
        Assert.Contains("b: in force: decode_threads 1, read_threads 3, augment_threads 2, prefetch 7, queue_per_thread 2", output);
        var rows = SettingsRows(run);
        Assert.Equal(["start", "user"], rows.Select(row => row["source"]));
        Assert.Equal(("1", "3", "2", "7", "2", "4", "0", "retune"),
            (rows[1]["decode_threads"], rows[1]["read_threads"], rows[1]["augment_threads"], rows[1]["prefetch"], rows[1]["queue_per_thread"], rows[1]["batch_size"], rows[1]["cache"], rows[1]["reason"]));
        await WaitUntil(() => bench.Output.Contains("settings by user: decode_threads 2 -> 1, read_threads 2 -> 3, prefetch 3 -> 7 (retune)", StringComparison.Ordinal), bench);

        var (queryExit, query) = await ChildProcess.RunCatsDogsAsync("retune", run);
        Assert.True(queryExit == 0, query);
        Assert.Contains("in force: decode_threads 1, read_threads 3, augment_threads 2, prefetch 7, queue_per_thread 2", query);
        Assert.Equal(2, SettingsRows(run).Count);
        Assert.False(bench.HasExited);
    }

    [Fact]
    public async Task A_run_started_with_hangups_ignored_by_nohup_still_takes_a_retune()
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b", underNohup: true);

        var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", runs.Combine("b"), "--prefetch", "7");

        Assert.True(exit == 0, output);
        Assert.Contains("b: in force: decode_threads 2, read_threads 2, augment_threads 2, prefetch 7, queue_per_thread 2", output);
        Assert.False(bench.HasExited);
    }

    [Fact]
    public async Task Out_of_range_values_and_the_batch_size_are_refused_with_exit_2_and_nothing_changes()
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b");
        var run = runs.Combine("b");
        var cores = Environment.ProcessorCount;

        var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "5", "--augment-threads", (cores + 1).ToString());
        var (batchExit, batchOutput) = await ChildProcess.RunCatsDogsAsync("retune", run, "--batch-size", "128");
        var (zeroExit, zeroOutput) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "0");

        Assert.Equal(2, exit);
        Assert.Contains($"refused the change: --augment-threads must be between 1 and {cores} ({cores} cores); got {cores + 1}. Nothing was changed; in force: decode_threads 2, read_threads 2, augment_threads 2, prefetch 3", output);
        Assert.Equal(2, batchExit);
        Assert.Contains("--batch-size cannot change while a run goes on", batchOutput);
        Assert.Contains("catsdogs tune", batchOutput);
        Assert.Equal(2, zeroExit);
        Assert.Contains("--prefetch must be between 1 and 1024; got 0.", zeroOutput);
        Assert.Equal(["start"], SettingsRows(run).Select(row => row["source"]));
        Assert.False(bench.HasExited);
    }

    [Theory]
    [InlineData("{\"id\": \"x\", \"settings\": {\"prefetch\": 6", "it is not JSON")]
    [InlineData("{\"id\": \"x\", \"settings\": {\"prefetch\": \"six\"}}", "\"prefetch\" is not a whole number.")]
    [InlineData("{\"id\": \"x\", \"settings\": {\"batch_size\": 32}}", "\"batch_size\" is not a setting that can change while a run goes on")]
    [InlineData("", "it is not JSON")]
    public async Task A_garbled_request_is_rejected_by_the_process_which_keeps_its_settings_and_runs_on(string request, string why)
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b");
        var run = runs.Combine("b");
        var requestFile = Path.Combine(run, "retune.request");
        File.WriteAllText(requestFile, request);
        File.SetUnixFileMode(requestFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        await Signal(bench.Id, "HUP");

        var answerFile = Path.Combine(run, "retune.answer");
        await WaitUntil(() => File.Exists(answerFile), bench);
        var answer = RetuneMessages.ReadAnswer(File.ReadAllText(answerFile));
        Assert.False(answer.Accepted);
        Assert.Contains(why, answer.Message);
        Assert.Equal(3, answer.Settings[SettingName.Prefetch]);
        Assert.False(File.Exists(requestFile));
        await WaitUntil(() => bench.Output.Contains("retune: the request was rejected: ", StringComparison.Ordinal), bench);
        Assert.Equal(["start"], SettingsRows(run).Select(row => row["source"]));

        var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "4");
        Assert.True(exit == 0, output);
        Assert.Contains("prefetch 4", output);
    }

    [Fact]
    public async Task A_request_others_may_write_is_rejected()
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b");
        var run = runs.Combine("b");
        var requestFile = Path.Combine(run, "retune.request");
        File.WriteAllText(requestFile, "{\"id\": \"x\", \"settings\": {\"prefetch\": 6}}");
        File.SetUnixFileMode(requestFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);

        await Signal(bench.Id, "HUP");

        await WaitUntil(() => File.Exists(Path.Combine(run, "retune.answer")), bench);
        Assert.Contains("may be written by others than its owner", RetuneMessages.ReadAnswer(File.ReadAllText(Path.Combine(run, "retune.answer"))).Message);
        Assert.Equal(["start"], SettingsRows(run).Select(row => row["source"]));
    }

    [Fact]
    public async Task A_process_that_does_not_answer_is_exit_2()
    {
        using var runs = new TempFolder();
        await using var bench = await StartBench(runs, "b");
        await Signal(bench.Id, "STOP");
        try
        {
            var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", runs.Combine("b"), "--prefetch", "5", "--timeout", "0.5");

            Assert.Equal(2, exit);
            Assert.Contains($"Process {bench.Id} of '{runs.Combine("b")}' did not answer within 0.5 s: it may still be starting", output);
        }
        finally
        {
            await Signal(bench.Id, "CONT");
        }
    }

    [Fact]
    public async Task A_finished_run_a_stale_pid_and_a_missing_folder_are_exit_2_and_no_one_is_signalled()
    {
        using var runs = new TempFolder();
        await using (var bench = await StartBench(runs, "b"))
        {
            // Disposing kills it with SIGKILL, which leaves its .lock behind.
        }

        var run = runs.Combine("b");
        Assert.True(File.Exists(Path.Combine(run, ".lock")));

        // A pid reused by an unrelated process: retune must not signal it (SIGHUP would end this sleep).
        await using var unrelated = ChildProcess.Start("sleep", ["60"], new Dictionary<string, string>());
        File.WriteAllText(Path.Combine(run, ".lock"), unrelated.Id + "\n");
        var (exit, output) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "5");
        var (missingExit, missingOutput) = await ChildProcess.RunCatsDogsAsync("retune", runs.Combine("nothing"), "--prefetch", "5");

        Assert.Equal(2, exit);
        Assert.Contains($"No process runs in '{run}': it finished or stopped (the pid in its .lock is left from a process that ended, and was not signalled). Nothing was changed", output);
        Assert.False(unrelated.HasExited);
        Assert.False(File.Exists(Path.Combine(run, "retune.request")));
        Assert.Equal(2, missingExit);
        Assert.Contains($"The run folder '{runs.Combine("nothing")}' does not exist.", missingOutput);
    }

    /// <summary>A `bench input` that runs until killed, once it has written its settings; its settings differ from every default.</summary>
    private async Task<ChildProcess> StartBench(TempFolder runs, string name, bool underNohup = false)
    {
        string[] args =
        [
            "bench", "input", "--data", _files.Root, "--image-size", "16", "--batch-size", "4", "--prefetch", "3", "--queue-per-thread", "2",
            "--decode-threads", "2", "--cache", "off", "--passes", "1000000", "--runs-dir", runs.Path, "--name", name, "--metrics-listen", "none",
        ];
        var bench = underNohup ? ChildProcess.CatsDogsUnderNohup(args) : ChildProcess.CatsDogs(args);
        // settings.csv and the lock come before the retune listener, the first pass after it: a request sent between
        // the two would be dropped as one left from before the run, so the test waits for the passes.
        await WaitUntil(() => File.Exists(Path.Combine(runs.Path, name, "settings.csv")) && bench.Output.Contains("pass ", StringComparison.Ordinal), bench);
        return bench;
    }

    private static async Task WaitUntil(Func<bool> condition, ChildProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(process.HasExited, $"the process ended: {process.Output}");
            Assert.True(clock.Elapsed < Patience, $"waited {Patience} in vain; the process wrote: {process.Output}");
            await Task.Delay(25);
        }
    }

    private static async Task Signal(int pid, string signal)
    {
        await using var kill = ChildProcess.Start("kill", [$"-{signal}", pid.ToString()], new Dictionary<string, string>());
        await kill.WaitForExitAsync(Patience);
        Assert.Equal(0, kill.ExitCode);
    }

    private static List<Dictionary<string, string>> SettingsRows(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "settings.csv"));
        var header = lines[0].Split(',');
        return [.. lines.Skip(1).Select(line => header.Zip(line.Split(',')).ToDictionary(pair => pair.First, pair => pair.Second))];
    }
}
