using System.Diagnostics;
using System.Globalization;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Training;

/// <summary>One process per run folder: a second one is refused, naming the holder, and a lock never outlives its process.</summary>
public sealed class RunLockTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_held_folder_refuses_a_second_taker_naming_the_holder_and_is_free_again_once_released()
    {
        var run = RunFolder.CreateNew(_folder.Combine("runs"), "locked", "train");

        var held = RunLock.Take(run);
        var refused = Assert.Throws<CommandLineError>(() => RunLock.Take(run));
        Assert.Contains($"'{run.Path}' is in use by process {Environment.ProcessId};", refused.Message);
        held.Dispose();

        Assert.False(File.Exists(run.File(RunLock.FileName)));
        using var again = RunLock.Take(run);
        Assert.Equal($"{Environment.ProcessId}", File.ReadAllText(run.File(RunLock.FileName)).Trim());
    }

    [Fact]
    public async Task The_holder_is_the_process_holding_the_lock_never_a_stale_pid_and_a_hangup_does_not_end_it()
    {
        var run = RunFolder.CreateNew(_folder.Combine("runs"), "held", "train");
        File.WriteAllText(run.File(RunLock.FileName), "1\n");
        Assert.Null(RunLock.HolderOf(run));

        using (RunLock.Take(run))
        {
            Assert.Equal(Environment.ProcessId, RunLock.HolderOf(run));

            // retune's signal: unless the lock's handler cancels its default, it ends this test process (and the run, loudly).
            var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, _ => received.TrySetResult()))
            {
                using var hangup = Process.Start("kill", ["-HUP", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
                await hangup.WaitForExitAsync();
                Assert.Equal(0, hangup.ExitCode);
                await received.Task.WaitAsync(TimeSpan.FromMinutes(1));
            }
        }

        Assert.Null(RunLock.HolderOf(run));
    }

    [Fact]
    public async Task Resuming_a_run_another_process_trains_exits_2_naming_its_pid_and_the_run_resumes_once_that_one_has_stopped()
    {
        StripesDataset.Write(_folder, "data", perClass: 50, side: 16);
        var runs = _folder.Combine("runs");
        string[] Options(params string[] more) => [.. more, "--cpu-threads", "1", "--metrics-listen", "none", "--device", "cpu"];
        await using var training = ChildProcess.CatsDogs(Options("train", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"),
            "--runs-dir", runs, "--name", "busy", "--epochs", "1000", "--image-size", "16", "--batch-size", "8", "--decode-threads", "1"));
        var last = Path.Combine(runs, "busy", "checkpoints", "last.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(last) && !training.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(last), training.Output);

        var (refusedExit, refused) = await ChildProcess.RunCatsDogsAsync("train", "--resume", Path.Combine(runs, "busy"), "--metrics-listen", "none");
        using (var stop = Process.Start("kill", ["-TERM", training.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync();
        }

        await training.WaitForExitAsync(TimeSpan.FromMinutes(1));
        var done = File.ReadAllLines(Path.Combine(runs, "busy", "metrics.csv")).Length - 1;
        var (resumedExit, resumed) = await ChildProcess.RunCatsDogsAsync(Options("train", "--resume", Path.Combine(runs, "busy"), "--epochs", $"{done + 1}"));

        Assert.True(refusedExit == 2, refused);
        Assert.Contains($"is in use by process {training.Id};", refused);
        Assert.True(training.ExitCode == 0, training.Output);
        Assert.True(resumedExit == 0, resumed);
        Assert.False(File.Exists(Path.Combine(runs, "busy", RunLock.FileName)));
    }

    public void Dispose() => _folder.Dispose();
}
