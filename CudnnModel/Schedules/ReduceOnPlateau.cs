namespace CatsDogs.Model.Schedules;

/// <summary>
/// Cuts the learning rate by <see cref="Factor"/> when a metric has not improved by more than
/// <see cref="MinDelta"/> for more than <see cref="Patience"/> reports (PyTorch's
/// ReduceLROnPlateau with absolute threshold), never below <see cref="MinRate"/>. Report once
/// per epoch; the state round-trips through <see cref="State"/> for checkpoints.
/// </summary>
public sealed class ReduceOnPlateau(float initialRate, MetricGoal goal = MetricGoal.Minimize, float factor = 0.1f, int patience = 10,
    double minDelta = 1e-4, float minRate = 0f)
{
    public float Factor { get; } = factor is > 0f and < 1f ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be in (0, 1).");

    public int Patience { get; } = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience must be 0 or more.");

    public double MinDelta { get; } = minDelta;

    public float MinRate { get; } = minRate;

    public PlateauState State { get; set; } = new(initialRate, double.NaN, 0);

    public float Rate => State.Rate;

    /// <summary>Takes this epoch's metric and returns the rate for the next epoch.</summary>
    public float Report(double metric)
    {
        var state = State;
        if (goal.Improves(metric, state.Best, MinDelta))
        {
            State = state with { Best = metric, BadReports = 0 };
        }
        else if (state.BadReports + 1 > Patience)
        {
            State = state with { Rate = Math.Max(MinRate, state.Rate * Factor), BadReports = 0 };
        }
        else
        {
            State = state with { BadReports = state.BadReports + 1 };
        }

        return Rate;
    }
}

/// <param name="Rate">The current learning rate.</param>
/// <param name="Best">The best metric so far (NaN before the first report).</param>
/// <param name="BadReports">Reports since the last improvement or cut.</param>
public readonly record struct PlateauState(float Rate, double Best, int BadReports);
