using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Training;
using CatsDogs.Telemetry;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TrainerHarness _harness;

    public TrainerTests()
    {
        StripesDataset.Write(_folder, "data", perClass: 48);
        _harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs"));
    }

    [Fact]
    public async Task Training_learns_the_separable_set_and_writes_its_run_folder()
    {
        var harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs")) { Options = _harness.Options with { Epochs = 6 } };

        var outcome = await harness.TrainAsync("learns");

        Assert.Equal(TrainingEnd.Completed, outcome.End);
        var rows = File.ReadAllLines(_folder.Combine("runs", "learns", "metrics.csv"));
        Assert.Equal(EpochRecord.Header, rows[0]);
        Assert.Equal(7, rows.Length);
        var records = rows.Skip(1).Select(EpochRecord.Parse).ToList();
        Assert.True(records[^1].TrainLoss < records[0].TrainLoss * 0.5, $"train loss {records[0].TrainLoss:F3} -> {records[^1].TrainLoss:F3}");
        Assert.True(records[^1].ValAccuracy > 0.95, $"val accuracy {records[^1].ValAccuracy:F3}");
        Assert.All(records, r => Assert.InRange(r.InputWaitFraction, 0, 1));
        foreach (var file in new[] { "figures/loss.png", "figures/accuracy.png", "checkpoints/best.json", "checkpoints/last.json" })
        {
            Assert.True(File.Exists(_folder.Combine("runs", "learns", file)), file);
        }

        // Without a terminal the progress is plain lines in the log (here one per loss read, the interval being zero).
        Assert.Matches(@"epoch 6/6: [\d,]+/[\d,]+ images \(\d+%\), \d+ img/s, loss \d\.\d{4}, acc \d\.\d{3}, \d+:\d\d:\d\d left", harness.Log.ToString());
    }

    [Fact]
    public async Task Run_stopped_mid_epoch_and_resumed_ends_with_the_same_weights_as_one_never_stopped()
    {
        await _harness.TrainAsync("straight");

        // 72 training images in batches of 16: 5 steps an epoch; stop in the middle of the second.
        var stopped = await _harness.TrainAsync("interrupted", stopAtStep: 7);
        var stoppedAt = Path.GetFileName(Directory.GetFiles(_folder.Combine("runs", "interrupted", "checkpoints"), "last.step*.safetensors").Single());
        var resumed = await _harness.TrainAsync("interrupted");

        Assert.Equal(TrainingEnd.Interrupted, stopped.End);
        Assert.Equal("last.step7.safetensors", stoppedAt);
        Assert.Equal(TrainingEnd.Completed, resumed.End);
        Assert.Equal(_harness.LastWeights("straight"), _harness.LastWeights("interrupted"));

        // The epoch's loss is summed in another order around the stop, so it may differ in the last digits.
        var straight = Records("straight");
        var interrupted = Records("interrupted");
        Assert.Equal(straight.Count, interrupted.Count);
        foreach (var (a, b) in straight.Zip(interrupted))
        {
            Assert.Equal(a.TrainLoss, b.TrainLoss, 1e-6);
            Assert.Equal(a.TrainAccuracy, b.TrainAccuracy, 1e-12);
            Assert.Equal(a.ValLoss, b.ValLoss, 1e-12);
            Assert.Equal(a.ValAccuracy, b.ValAccuracy, 1e-12);
            Assert.Equal(a.LearningRate, b.LearningRate, 1e-12);
        }
    }

    [Fact]
    public async Task Run_extended_by_an_epoch_continues_bit_exactly()
    {
        // A constant rate, since extending a run changes where a decaying schedule would have gone.
        var harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs")) { Options = _harness.Options with { Schedule = ScheduleKind.Constant } };
        await harness.TrainAsync("straight");
        await harness.TrainAsync("in-two", epochs: 1);
        await harness.TrainAsync("in-two", epochs: 2);

        Assert.Equal(harness.LastWeights("straight"), harness.LastWeights("in-two"));
    }

    [Fact]
    public async Task A_resumed_runs_time_counts_on_from_its_checkpoint()
    {
        var harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs"));
        var first = await harness.TrainAsync("in-two", epochs: 1);
        var checkpoint = _folder.Combine("runs", "in-two", "checkpoints", "last.json");
        var saved = JsonNode.Parse(File.ReadAllText(checkpoint))!;
        var savedSeconds = saved["trainer"]!["RunSeconds"]!.GetValue<double>();
        Assert.InRange(savedSeconds, double.Epsilon, first.Elapsed.TotalSeconds);

        // As if the first session had taken an hour.
        saved["trainer"]!["RunSeconds"] = 3600.0;
        File.WriteAllText(checkpoint, saved.ToJsonString());
        var session = Stopwatch.StartNew();
        var second = await harness.TrainAsync("in-two", epochs: 2);

        Assert.InRange(second.Elapsed.TotalSeconds, 3600.0, 3600.0 + session.Elapsed.TotalSeconds);
        Assert.True(JsonNode.Parse(File.ReadAllText(checkpoint))!["trainer"]!["RunSeconds"]!.GetValue<double>() > 3600.0);
    }

    [Fact]
    public async Task Failed_checkpoint_write_keeps_the_previous_file_says_why_and_training_goes_on()
    {
        var harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs")) { Options = _harness.Options with { Epochs = 1 } };
        await harness.TrainAsync("blocked");
        var kept = File.ReadAllBytes(_folder.Combine("runs", "blocked", "checkpoints", "last.json"));

        // A folder where the new weights file must go makes that write fail.
        var weights = Directory.GetFiles(_folder.Combine("runs", "blocked", "checkpoints"), "last.step*.safetensors").Single();
        var nextStep = long.Parse(Path.GetFileName(weights)["last.step".Length..^".safetensors".Length], CultureInfo.InvariantCulture) + 5;
        Directory.CreateDirectory(_folder.Combine("runs", "blocked", "checkpoints", $"last.step{nextStep}.safetensors"));
        var outcome = await harness.TrainAsync("blocked", epochs: 2);

        Assert.Equal(TrainingEnd.Completed, outcome.End);
        Assert.Contains("Could not write the last checkpoint", harness.Log.ToString());
        Assert.Equal(kept, File.ReadAllBytes(_folder.Combine("runs", "blocked", "checkpoints", "last.json")));
    }

    [Fact]
    public async Task Learning_rate_and_training_scores_are_exported_every_epoch_even_one_shorter_than_log_every()
    {
        // 72 training images in batches of 16: 5 steps an epoch, far fewer than --log-every.
        using var meters = new TestMeters();
        using var rate = meters.Collect<double>("catsdogs.trainer.learning_rate");
        using var loss = meters.Collect<double>("catsdogs.trainer.loss");
        var harness = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs"))
        {
            Options = _harness.Options with { LogEvery = 50, Epochs = 3 },
            Metrics = new TrainerMetrics(meters.Factory),
        };

        await harness.TrainAsync("short-epochs");

        // Once an epoch, with the values its metrics.csv row holds (the cosine schedule moves the rate each epoch).
        var records = Records("short-epochs");
        Assert.Equal(records.Select(r => r.LearningRate), rate.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(records.Select(r => r.TrainLoss), loss.GetMeasurementSnapshot().Where(m => (string?)m.Tags["split"] == "train").Select(m => m.Value));
    }

    [Fact]
    public async Task Validation_with_flip_scores_each_epoch_as_evaluate_with_flip_does_and_leaves_training_unchanged()
    {
        var flip = new TrainerHarness(_folder.Combine("data"), _folder.Combine("runs")) { Options = _harness.Options with { ValidationTta = TestTimeAugmentation.Flip } };

        await _harness.TrainAsync("plain");
        await flip.TrainAsync("flip");

        Assert.Equal(_harness.LastWeights("plain"), flip.LastWeights("flip"));
        var (accuracy, logLoss) = await flip.ScoreValidationAsync("flip", TestTimeAugmentation.Flip);
        var last = Records("flip")[^1];
        Assert.Equal(accuracy, last.ValAccuracy, 1e-12);
        Assert.Equal(logLoss, last.ValLoss, 1e-9);
        // Scored without the mirrors, the same weights give another loss: the flip run did average.
        var (_, plainLogLoss) = await flip.ScoreValidationAsync("flip", TestTimeAugmentation.None);
        Assert.Equal(plainLogLoss, Records("plain")[^1].ValLoss, 1e-5);
        Assert.True(Math.Abs(plainLogLoss - logLoss) > 1e-4, $"validation loss {logLoss} with the mirrors against {plainLogLoss} without");
    }

    private List<EpochRecord> Records(string run) =>
        File.ReadAllLines(_folder.Combine("runs", run, "metrics.csv")).Skip(1).Select(EpochRecord.Parse).ToList();

    public void Dispose() => _folder.Dispose();
}
