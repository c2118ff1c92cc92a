using System.Globalization;
using System.Text.RegularExpressions;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Training;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Training;

public sealed partial class SignalTests : IDisposable
{
    private const int BatchSize = 8;

    /// <summary>A guard against a hang at each wait, not a measure.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Sigterm_mid_epoch_writes_the_checkpoint_of_the_step_it_stopped_at_and_exits_0()
    {
        // 640 training images, 80 steps an epoch at 24x24 on one thread: seconds, so that a signal sent a step or two into an
        // epoch lands in its training pass even on a busy machine. The progress is read from the trainer's images counter on /metrics.
        StripesDataset.Write(_folder, "data", perClass: 400);
        await using var app = ChildProcess.CatsDogs(
            "train", "--data", _folder.Combine("data"), "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"),
            "--name", "signalled", "--epochs", "1000", "--image-size", "24", "--batch-size", $"{BatchSize}", "--cpu-threads", "1", "--decode-threads", "1",
            "--metrics-listen", MetricsAddress.AnyPort, "--device", "cpu");
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://{await MetricsAddress.OfAsync(app)}") };
        var trainImages = int.Parse((await app.WaitForLineAsync(ImageCounts(), Patience)).Groups["train"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        long stepsPerEpoch = (trainImages + BatchSize - 1) / BatchSize;

        // Once the second epoch has trained a batch: past the first epoch's own checkpoint, and with
        // nearly all of the second one's steps still to go when the signal arrives.
        await WaitForTrainedImagesAsync(app, metrics, moreThan: trainImages);
        await using (var kill = ChildProcess.Start("kill", ["-TERM", app.Id.ToString(CultureInfo.InvariantCulture)], new Dictionary<string, string>()))
        {
            await kill.WaitForExitAsync(Patience);
            Assert.Equal(0, kill.ExitCode);
        }

        await app.WaitForExitAsync(Patience);

        Assert.True(app.ExitCode == 0, $"exit code {app.ExitCode}:\n{app.Output}");
        Assert.Contains("SIGTERM: finishing the current batch and writing the last checkpoint", app.Output);
        var stopped = StoppedLine().Match(app.Output);
        Assert.True(stopped.Success, $"no 'Stopped in epoch N after K images' line: the stop did not land in a training pass:\n{app.Output}");
        var epoch = int.Parse(stopped.Groups["epoch"].Value, CultureInfo.InvariantCulture);
        var images = int.Parse(stopped.Groups["images"].Value, CultureInfo.InvariantCulture);
        Assert.True(epoch >= 2, app.Output);
        Assert.InRange(images, BatchSize, trainImages - 1);
        Assert.Equal(0, images % BatchSize);

        // The checkpoint is the one the signal wrote: the step it stopped at, past the last epoch boundary.
        var last = _folder.Combine("runs", "signalled", "checkpoints", "last.json");
        using var device = BackendFactory.Create(DeviceKind.Cpu);
        var loaded = Checkpoint.Load(last, device);
        var boundary = (epoch - 1) * stepsPerEpoch;
        using (loaded.Network)
        {
            Assert.Equal(boundary + (images / BatchSize), loaded.Network.Step);
            Assert.True(loaded.Network.Step > boundary, $"step {loaded.Network.Step} is the end of epoch {epoch - 1}'s checkpoint, not the signal's");
        }

        var state = TrainerState.FromJson(loaded.Info.TrainerState);
        Assert.Equal(epoch - 1, loaded.Info.Epoch);
        Assert.Equal((epoch - 1, images, (long)images), (state.Epoch, state.NextPosition, state.Partial.Count));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Scrapes the app's /metrics until the images it has trained on pass <paramref name="moreThan"/>.</summary>
    private static async Task WaitForTrainedImagesAsync(ChildProcess app, HttpClient metrics, long moreThan)
    {
        using var guard = new CancellationTokenSource(Patience);
        while (TrainedImages(await metrics.GetStringAsync("/metrics", guard.Token)) <= moreThan)
        {
            Assert.False(app.HasExited, app.Output);
            await Task.Delay(100, guard.Token);
        }
    }

    private static long TrainedImages(string scrape) =>
        TrainedImagesSample().Match(scrape) is { Success: true } sample ? long.Parse(sample.Groups["value"].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"; (?<train>[\d,]+) training and [\d,]+ validation images")]
    private static partial Regex ImageCounts();

    [GeneratedRegex(@"^Stopped in epoch (?<epoch>\d+) after (?<images>\d+) images;", RegexOptions.Multiline)]
    private static partial Regex StoppedLine();

    [GeneratedRegex(@"^catsdogs_trainer_images_total(\{[^}]*\})? (?<value>\d+)", RegexOptions.Multiline)]
    private static partial Regex TrainedImagesSample();
}
