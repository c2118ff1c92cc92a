using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Training;

public sealed class SignalTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Sigterm_to_a_training_process_leaves_a_loadable_checkpoint_and_exit_code_0()
    {
        StripesDataset.Write(_folder, "data", perClass: 200);
        var start = new ProcessStartInfo("dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "catsdogs.dll"), "train", "--data", _folder.Combine("data"),
            "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", "signalled",
            "--epochs", "1000", "--image-size", "16", "--batch-size", "8", "--cpu-threads", "1", "--decode-threads", "1",
            "--metrics-listen", "none", "--device", "cpu",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = new List<string>();
        var started = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (output)
                {
                    output.Add(line);
                }

                if (line.StartsWith("epoch 1/", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }
            }

            started.TrySetResult();
        });

        // After the first epoch, and a moment into the second. An epoch here takes a fraction of a
        // second, so on a loaded machine the stop may land in training, validation or a later epoch.
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await Task.Delay(300);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await reading;

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}; stderr: {await errors}");
        Assert.Contains("SIGTERM", await errors);
        Assert.Contains(output, line => line.StartsWith("Stopped ", StringComparison.Ordinal) && line.Contains("Resume with --resume", StringComparison.Ordinal));
        using var device = BackendFactory.Create(DeviceKind.Cpu);
        var loaded = Checkpoint.Load(_folder.Combine("runs", "signalled", "checkpoints", "last.json"), device);
        using (loaded.Network)
        {
            Assert.True(loaded.Network.Step > 0);
        }
    }

    public void Dispose() => _folder.Dispose();
}
