namespace CatsDogs.Model.Schedules;

/// <summary>
/// Says stop once a metric has gone <see cref="Patience"/> reports without improving by more
/// than <see cref="MinDelta"/>, and remembers which report was best (for the best checkpoint).
/// </summary>
public sealed class EarlyStopping(int patience, MetricGoal goal = MetricGoal.Maximize, double minDelta = 0d)
{
    public int Patience { get; } = patience >= 1 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be 1 or more.");

    public double MinDelta { get; } = minDelta;

    public EarlyStoppingState State { get; set; } = new(double.NaN, -1, 0, 0);

    public bool ShouldStop => State.BadReports >= Patience;

    /// <summary>True when the report just made was the best so far.</summary>
    public bool LastWasBest => State.BestReport == State.Reports - 1;

    /// <summary>Takes this epoch's metric; returns true when training should stop.</summary>
    public bool Report(double metric)
    {
        var state = State;
        State = goal.Improves(metric, state.Best, MinDelta)
            ? new EarlyStoppingState(metric, state.Reports, state.Reports + 1, 0)
            : state with { Reports = state.Reports + 1, BadReports = state.BadReports + 1 };
        return ShouldStop;
    }
}

/// <param name="Best">The best metric so far (NaN before the first report).</param>
/// <param name="BestReport">0-based index of the best report, -1 before the first.</param>
/// <param name="Reports">Reports made.</param>
/// <param name="BadReports">Reports since the best one.</param>
public readonly record struct EarlyStoppingState(double Best, int BestReport, int Reports, int BadReports);
