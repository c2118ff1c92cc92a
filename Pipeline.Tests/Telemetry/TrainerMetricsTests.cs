using CatsDogs.Telemetry;

namespace CatsDogs.Tests.Telemetry;

public sealed class TrainerMetricsTests : IDisposable
{
    private readonly TestMeters _meters = new();
    private readonly TrainerMetrics _metrics;

    public TrainerMetricsTests() => _metrics = new TrainerMetrics(_meters.Factory);

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void A_step_counts_its_images_and_records_its_time_in_seconds()
    {
        using var images = _meters.Collect<long>("catsdogs.trainer.images");
        using var steps = _meters.Collect<double>("catsdogs.trainer.step.duration");
        _metrics.AddStep(64, TimeSpan.FromMilliseconds(250));
        _metrics.AddStep(32, TimeSpan.FromSeconds(2));

        Assert.Equal(96, images.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal([0.25, 2.0], steps.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public void Input_wait_accumulates_seconds_and_refuses_negative_time()
    {
        using var wait = _meters.Collect<double>("catsdogs.trainer.input.wait");
        _metrics.AddInputWait(TimeSpan.FromMilliseconds(300));
        _metrics.AddInputWait(TimeSpan.FromMilliseconds(200));

        Assert.Equal(0.5, wait.GetMeasurementSnapshot().Sum(m => m.Value), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => _metrics.AddInputWait(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void Scores_are_gauges_split_into_train_and_val()
    {
        using var loss = _meters.Collect<double>("catsdogs.trainer.loss");
        using var accuracy = _meters.Collect<double>("catsdogs.trainer.accuracy");
        _metrics.SetTrainingScores(0.69, 0.51);
        _metrics.SetValidationScores(0.61, 0.66);
        _metrics.SetTrainingScores(0.42, 0.80);

        Assert.Equal(["train=0.69", "val=0.61", "train=0.42"], loss.GetMeasurementSnapshot().Select(m => $"{m.Tags["split"]}={m.Value}"));
        Assert.Equal(["train=0.51", "val=0.66", "train=0.8"], accuracy.GetMeasurementSnapshot().Select(m => $"{m.Tags["split"]}={m.Value}"));
    }

    [Fact]
    public void Schedule_gauges_hold_the_last_value()
    {
        using var rate = _meters.Collect<double>("catsdogs.trainer.learning_rate");
        using var epoch = _meters.Collect<int>("catsdogs.trainer.epoch");
        using var planned = _meters.Collect<int>("catsdogs.trainer.epochs.planned");
        _metrics.SetLearningRate(1e-3);
        _metrics.SetEpoch(1, 30);
        _metrics.SetLearningRate(5e-4);
        _metrics.SetEpoch(2, 30);

        Assert.Equal(5e-4, rate.LastMeasurement!.Value);
        Assert.Equal(2, epoch.LastMeasurement!.Value);
        Assert.Equal(30, planned.LastMeasurement!.Value);
    }

    [Fact]
    public void Checkpoint_writes_and_failures_are_counted_apart()
    {
        using var writes = _meters.Collect<long>("catsdogs.trainer.checkpoint.writes");
        using var failures = _meters.Collect<long>("catsdogs.trainer.checkpoint.failures");
        _metrics.AddCheckpointWrite();
        _metrics.AddCheckpointWrite();
        _metrics.AddCheckpointFailure();

        Assert.Equal(2, writes.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, failures.GetMeasurementSnapshot().Sum(m => m.Value));
    }
}
