namespace CatsDogs.Model.Schedules;

/// <summary>Whether a monitored metric should go down (loss) or up (accuracy).</summary>
public enum MetricGoal
{
    Minimize,
    Maximize,
}

internal static class MetricGoalExtensions
{
    /// <summary>True when <paramref name="value"/> beats <paramref name="best"/> by more than <paramref name="minDelta"/>.</summary>
    public static bool Improves(this MetricGoal goal, double value, double best, double minDelta) =>
        double.IsNaN(best) || (goal == MetricGoal.Minimize ? value < best - minDelta : value > best + minDelta);
}
