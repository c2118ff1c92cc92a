using System.Diagnostics.Metrics;

namespace CatsDogs.Telemetry;

/// <summary>
/// What the training loop records: throughput, step time, time starved of input, the scores of the
/// current epoch, the schedule, and checkpoint outcomes.
/// Threading: every method may be called from any thread; none allocates.
/// </summary>
public sealed class TrainerMetrics
{
    private static readonly KeyValuePair<string, object?> Train = new("split", "train");
    private static readonly KeyValuePair<string, object?> Validation = new("split", "val");

    private readonly Counter<long> _images;
    private readonly Histogram<double> _stepDuration;
    private readonly Counter<double> _inputWait;
    private readonly Gauge<double> _loss;
    private readonly Gauge<double> _accuracy;
    private readonly Gauge<double> _learningRate;
    private readonly Gauge<int> _epoch;
    private readonly Gauge<int> _plannedEpochs;
    private readonly Counter<long> _checkpointWrites;
    private readonly Counter<long> _checkpointFailures;

    internal TrainerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CatsDogsMeter.Name);
        _images = meter.CreateCounter<long>("catsdogs.trainer.images", "{image}", "Images the network trained on.");
        _stepDuration = meter.CreateHistogram("catsdogs.trainer.step.duration", "s",
            "Wall time of one training step, upload to optimizer update.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketBoundaries.TrainingStepSeconds });
        _inputWait = meter.CreateCounter<double>("catsdogs.trainer.input.wait", "s",
            "Time the step loop spent waiting for the next batch; its rate is the fraction of time the GPU starved.");
        _loss = meter.CreateGauge<double>("catsdogs.trainer.loss", unit: null,
            description: "Mean binary cross-entropy so far in the epoch (split=train) or of the last validation pass (split=val).");
        _accuracy = meter.CreateGauge<double>("catsdogs.trainer.accuracy", "1",
            "Accuracy so far in the epoch (split=train) or of the last validation pass (split=val).");
        _learningRate = meter.CreateGauge<double>("catsdogs.trainer.learning_rate", unit: null, description: "Current learning rate.");
        _epoch = meter.CreateGauge<int>("catsdogs.trainer.epoch", "{epoch}", "Epoch in progress, counting from 1.");
        _plannedEpochs = meter.CreateGauge<int>("catsdogs.trainer.epochs.planned", "{epoch}", "Epochs the run is set to train.");
        _checkpointWrites = meter.CreateCounter<long>("catsdogs.trainer.checkpoint.writes", "{checkpoint}", "Checkpoints written.");
        _checkpointFailures = meter.CreateCounter<long>("catsdogs.trainer.checkpoint.failures", "{checkpoint}",
            "Checkpoint writes that failed (the last good checkpoint was kept).");

        // A counter appears in a scrape only once it has been added to. A run without a failure should
        // say "0 failures", not nothing, so that panels and alerts on failures see a series from the start.
        _checkpointFailures.Add(0);
    }

    /// <summary>One training step on <paramref name="images"/> images took <paramref name="duration"/>.</summary>
    public void AddStep(int images, TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(images);
        _images.Add(images);
        _stepDuration.Record(duration.TotalSeconds);
    }

    /// <summary>The step loop waited <paramref name="waited"/> for its next batch.</summary>
    public void AddInputWait(TimeSpan waited)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(waited, TimeSpan.Zero);
        _inputWait.Add(waited.TotalSeconds);
    }

    public void SetTrainingScores(double loss, double accuracy)
    {
        _loss.Record(loss, Train);
        _accuracy.Record(accuracy, Train);
    }

    public void SetValidationScores(double loss, double accuracy)
    {
        _loss.Record(loss, Validation);
        _accuracy.Record(accuracy, Validation);
    }

    public void SetLearningRate(double learningRate) => _learningRate.Record(learningRate);

    /// <summary><paramref name="epoch"/> counts from 1 up to <paramref name="plannedEpochs"/>.</summary>
    public void SetEpoch(int epoch, int plannedEpochs)
    {
        _epoch.Record(epoch);
        _plannedEpochs.Record(plannedEpochs);
    }

    public void AddCheckpointWrite() => _checkpointWrites.Add(1);

    public void AddCheckpointFailure() => _checkpointFailures.Add(1);
}
