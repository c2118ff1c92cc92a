using CatsDogs.Model.Schedules;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Turns the options into the run's learning-rate policy: a per-step schedule (constant, step,
/// cosine with warm-up, one-cycle) or reduce-on-plateau, which changes the rate between epochs.
/// </summary>
internal sealed class LearningRatePlan
{
    private readonly ILearningRateSchedule? _schedule;

    public LearningRatePlan(TrainOptions options, long stepsPerEpoch)
    {
        var total = Math.Max(1, stepsPerEpoch * options.Epochs);
        var rate = options.LearningRate;
        _schedule = options.Schedule switch
        {
            ScheduleKind.Constant => new ConstantSchedule(rate),
            ScheduleKind.Step => new StepSchedule(rate, Math.Max(1, options.StepEpochs * stepsPerEpoch), options.StepGamma),
            ScheduleKind.Cosine => new CosineSchedule(rate, total, (long)(options.WarmupEpochs * stepsPerEpoch)),
            ScheduleKind.OneCycle => new OneCycleSchedule(rate, total),
            _ => null,
        };
        Plateau = options.Schedule == ScheduleKind.Plateau
            ? new ReduceOnPlateau(rate, options.Monitor.Goal(), options.PlateauFactor, options.PlateauPatience)
            : null;
    }

    public ReduceOnPlateau? Plateau { get; }

    /// <summary>The rate for the step about to be taken.</summary>
    public float RateAt(long step) => _schedule?.RateAt(step) ?? Plateau!.Rate;
}

internal static class MonitorMetricExtensions
{
    public static MetricGoal Goal(this MonitorMetric metric) => metric == MonitorMetric.ValLoss ? MetricGoal.Minimize : MetricGoal.Maximize;

    public static double Of(this MonitorMetric metric, EpochRecord record) => metric == MonitorMetric.ValLoss ? record.ValLoss : record.ValAccuracy;

    public static bool Improves(this MonitorMetric metric, double value, double? best) =>
        best is not { } b || (metric == MonitorMetric.ValLoss ? value < b : value > b);

    public static string Name(this MonitorMetric metric) => metric == MonitorMetric.ValLoss ? "val_loss" : "val_acc";
}
