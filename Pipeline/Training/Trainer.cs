using System.Diagnostics;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Schedules;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning.Autotune;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// The epoch loop: a training pass over the input pipeline, a validation pass without
/// augmentation, then one metrics.csv row, the curve plots, the best and last checkpoints, the
/// learning-rate plan and early stopping. A stop request finishes the current batch, writes the
/// last checkpoint (with the position in the epoch, so a resumed run continues as if never
/// stopped) and returns.
/// <para>Threading: one caller; the pipeline's threads only fill batches.</para>
/// </summary>
internal sealed class Trainer(
    Network network,
    InputPipeline pipeline,
    ImageSource train,
    ImageSource validation,
    TrainOptions options,
    RunFolder run,
    string splitHash,
    TrainerState resumeFrom,
    TrainerMetrics? metrics,
    TrainingProgress progress,
    TextWriter log,
    AutotuneSession? autotune = null)
{
    private const string LastCheckpoint = CheckpointLedger.Last;
    private const string BestCheckpoint = CheckpointLedger.Best;

    private readonly MetricsCsv _csv = new(run.File("metrics.csv"));
    private readonly LearningRatePlan _plan = new(options, StepsPerEpoch(train.Count, pipeline.Options));
    private readonly EarlyStopping? _earlyStopping = options.EarlyStopPatience is { } patience
        ? new EarlyStopping(patience, options.Monitor.Goal(), options.EarlyStopMinDelta)
        : null;

    private readonly Stopwatch _session = new();
    private readonly TimeSpan _earlierSessions = TimeSpan.FromSeconds(resumeFrom.RunSeconds);

    private readonly CheckpointLedger _checkpoints = CheckpointLedger.Read(run.Checkpoints);

    private TrainerState _state = resumeFrom;

    public async Task<TrainingOutcome> RunAsync(CancellationToken stop)
    {
        _session.Restart();
        RestoreSchedules();
        var records = _csv.ReadAll().Where(r => r.Epoch < _state.Epoch).ToList();
        for (var epoch = _state.Epoch; epoch < options.Epochs; epoch++)
        {
            metrics?.SetEpoch(epoch + 1, options.Epochs);
            var trained = await TrainEpochAsync(epoch, stop);
            if (trained is null)
            {
                return Finish(TrainingEnd.Interrupted, records);
            }

            var scores = await ValidateAsync(stop);
            if (scores is null)
            {
                return Finish(TrainingEnd.Interrupted, records);
            }

            var record = trained.Value.ToRecord(epoch, scores.Value, network.LearningRate);
            records.Add(record);
            _csv.Append(record);
            CurvePlots.Write(records, run.Figures);
            metrics?.SetValidationScores(record.ValLoss, record.ValAccuracy);
            log.WriteLine(Describe(record));

            var stopEarly = EndEpoch(epoch, record);
            if (stopEarly)
            {
                log.WriteLine($"Early stopping: {options.Monitor.Name()} has not improved for {options.EarlyStopPatience} epochs.");
                return Finish(TrainingEnd.EarlyStopped, records);
            }
        }

        return Finish(TrainingEnd.Completed, records);
    }

    private async Task<EpochSums?> TrainEpochAsync(int epoch, CancellationToken stop)
    {
        var resumed = _state.Epoch == epoch ? _state : new TrainerState { Epoch = epoch };
        var sums = resumed.Partial;
        var position = resumed.NextPosition;
        var waited = TimeSpan.FromSeconds(sums.WaitSeconds);
        var clock = Stopwatch.StartNew();
        var earlier = TimeSpan.FromSeconds(sums.Seconds);
        var interrupted = false;
        var steps = 0;

        await progress.RunAsync($"epoch {epoch + 1}/{options.Epochs}", train.Count, async report =>
        {
            var batches = pipeline.ReadAsync(train, PassKind.Training, epoch, stop, position).GetAsyncEnumerator(stop);
            var held = new HeldBatch(network);
            autotune?.PassStarted();
            try
            {
                while (true)
                {
                    var ready = autotune?.ReadyBatches ?? 0;
                    var waitStarted = Stopwatch.GetTimestamp();
                    if (!await batches.MoveNextAsync())
                    {
                        break;
                    }

                    var wait = Stopwatch.GetElapsedTime(waitStarted);
                    waited += wait;
                    metrics?.AddInputWait(wait);
                    var batch = batches.Current;
                    var stepStarted = Stopwatch.GetTimestamp();
                    network.LearningRate = _plan.RateAt(network.Step);
                    try
                    {
                        network.TrainStep(batch.View);
                    }
                    finally
                    {
                        held.Replace(batch);
                    }

                    var stepTime = Stopwatch.GetElapsedTime(stepStarted);
                    metrics?.AddStep(batch.Count, stepTime);
                    autotune?.StepDone(ready, wait, stepTime);
                    position = batch.EndPosition;
                    if (++steps % options.LogEvery == 0)
                    {
                        sums = sums.Add(network.TakeTrainingStatistics());
                        ExportProgress(sums);
                        report(position, sums.Count / Math.Max(1e-9, (clock.Elapsed + earlier).TotalSeconds), sums.MeanLoss, sums.Accuracy);
                    }

                    if (stop.IsCancellationRequested)
                    {
                        interrupted = true;
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                interrupted = true;
            }
            finally
            {
                held.Dispose();
                await batches.DisposeAsync();
            }
        });

        sums = sums.Add(network.TakeTrainingStatistics()) with { Seconds = (clock.Elapsed + earlier).TotalSeconds, WaitSeconds = waited.TotalSeconds };

        // Once more at the pass's end: an epoch of fewer steps than --log-every would otherwise never export them.
        ExportProgress(sums);
        if (interrupted)
        {
            _state = _state with { Epoch = epoch, NextPosition = position, Partial = sums };
            SaveCheckpoint(LastCheckpoint, epoch);
            log.WriteLine($"Stopped in epoch {epoch + 1} after {sums.Count} images; the last checkpoint is in {run.Checkpoints}. Resume with --resume {run.Path}.");
            return null;
        }

        // The training pass is done: a stop during validation resumes straight into validation.
        _state = _state with { Epoch = epoch, NextPosition = train.Count, Partial = sums };
        return sums;
    }

    private async Task<BatchStatistics?> ValidateAsync(CancellationToken stop)
    {
        network.TakeEvaluationStatistics();
        try
        {
            return options.ValidationTta == TestTimeAugmentation.None ? await ScoreValidationAsync(stop) : await ScoreValidationAveragedAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            SaveCheckpoint(LastCheckpoint, _state.Epoch);
            log.WriteLine($"Stopped during validation; the last checkpoint is in {run.Checkpoints}. Resume with --resume {run.Path}.");
            return null;
        }
    }

    /// <summary>The network's own loss and accuracy on each validation image.</summary>
    private async Task<BatchStatistics> ScoreValidationAsync(CancellationToken stop)
    {
        using (var held = new HeldBatch(network))
        {
            await foreach (var batch in pipeline.ReadAsync(validation, PassKind.Inference, 0, stop))
            {
                try
                {
                    network.Evaluate(batch.View);
                }
                finally
                {
                    held.Replace(batch);
                }
            }
        }

        return network.TakeEvaluationStatistics();
    }

    /// <summary>
    /// Loss and accuracy of P(dog) as evaluate scores it under the same test-time augmentation, so that the best
    /// checkpoint is picked by the score its evaluation will report.
    /// </summary>
    private async Task<BatchStatistics> ScoreValidationAveragedAsync(CancellationToken stop)
    {
        var averaging = new ViewAveraging(options.ValidationTta, pipeline.Options.BatchSize);
        var probabilities = new float[pipeline.Options.BatchSize];
        var (lossSum, correct, count) = (0.0, 0L, 0L);
        await foreach (var batch in pipeline.ReadAsync(validation, PassKind.Inference, 0, stop))
        {
            using (batch)
            {
                averaging.Evaluate(network, batch, probabilities);
                var labels = batch.View.LabelSpan;
                for (var row = 0; row < batch.Count; row++)
                {
                    var isDog = labels[row] > 0.5f;
                    lossSum += LogLoss.Of(isDog, probabilities[row]);
                    correct += probabilities[row] > 0.5f == isDog ? 1 : 0;
                }

                count += batch.Count;
            }
        }

        // The network also kept single-view scores of the first pass; they are not the ones reported.
        network.TakeEvaluationStatistics();
        return new BatchStatistics(lossSum, correct, count);
    }

    /// <summary>The learning rate in force and the epoch's training scores so far, for the live metrics.</summary>
    private void ExportProgress(EpochSums sums)
    {
        metrics?.SetLearningRate(network.LearningRate);
        metrics?.SetTrainingScores(sums.MeanLoss, sums.Accuracy);
    }

    /// <summary>Best checkpoint, learning-rate plan, early stopping, last checkpoint; true to stop.</summary>
    private bool EndEpoch(int epoch, EpochRecord record)
    {
        var metric = options.Monitor.Of(record);
        var improved = options.Monitor.Improves(metric, _state.BestMetric);
        if (improved)
        {
            _state = _state with { BestMetric = metric, BestEpoch = epoch };
        }

        if (_plan.Plateau is { } plateau)
        {
            network.LearningRate = plateau.Report(metric);
        }

        var stopEarly = false;
        if (_earlyStopping is { } early)
        {
            early.Report(metric);
            stopEarly = early.ShouldStop;
        }

        _state = _state with
        {
            Epoch = epoch + 1,
            NextPosition = 0,
            Partial = default,
            Plateau = _plan.Plateau?.State,
            EarlyStopping = _earlyStopping?.State,
        };
        if (improved)
        {
            SaveCheckpoint(BestCheckpoint, epoch + 1);
        }

        SaveCheckpoint(LastCheckpoint, epoch + 1);
        return stopEarly;
    }

    private void RestoreSchedules()
    {
        if (_plan.Plateau is { } plateau && _state.Plateau is { } saved)
        {
            plateau.State = saved;
        }

        if (_earlyStopping is not null && _state.EarlyStopping is { } early)
        {
            _earlyStopping.State = early;
        }
    }

    /// <summary>Writes a checkpoint; a failed write keeps the previous one, says why, and training goes on, the ledger remembering it for the summary.</summary>
    private void SaveCheckpoint(string name, int epochsDone)
    {
        try
        {
            var state = _state with { RunSeconds = RunTime.TotalSeconds };
            Checkpoint.Save(network, run.Checkpoints, name, new CheckpointInfo(epochsDone, splitHash) { TrainerState = state.ToJson() });
            _checkpoints.Written(name, epochsDone);
            metrics?.AddCheckpointWrite();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            metrics?.AddCheckpointFailure();
            _checkpoints.WriteFailed(name, epochsDone, e.Message);
            var kept = _checkpoints[name].HeldEpochs is { } held ? $"{name}.json still holds epoch {held}" : $"there is no {name}.json";
            log.WriteLine($"Could not write the {name} checkpoint ({e.Message}); {kept}.");
        }
    }

    /// <summary>This session's time plus that of the sessions before the checkpoint it resumed from.</summary>
    private TimeSpan RunTime => _earlierSessions + _session.Elapsed;

    private TrainingOutcome Finish(TrainingEnd end, List<EpochRecord> records)
    {
        var best = _state.BestEpoch >= 0 ? records.FirstOrDefault(r => r.Epoch == _state.BestEpoch) : null;
        return new TrainingOutcome(end, records.Count, best, records.LastOrDefault(), RunTime, _checkpoints);
    }

    private string Describe(EpochRecord r) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"epoch {r.Epoch + 1}/{options.Epochs}: loss {r.TrainLoss:F4} acc {r.TrainAccuracy:F4} | val_loss {r.ValLoss:F4} val_acc {r.ValAccuracy:F4} | lr {r.LearningRate:0.###e+0} | {r.ImagesPerSecond:F0} img/s | input wait {r.InputWaitFraction:P1} | {r.EpochSeconds:F1} s");

    private static long StepsPerEpoch(int images, InputPipelineOptions input) =>
        input.DropLastPartial ? images / input.BatchSize : (images + input.BatchSize - 1) / input.BatchSize;
}
