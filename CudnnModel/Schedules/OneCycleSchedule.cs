namespace CatsDogs.Model.Schedules;

/// <summary>
/// PyTorch's OneCycleLR with cosine annealing: from max / <see cref="DivFactor"/> up to
/// <see cref="MaxRate"/> over the first <see cref="WarmupFraction"/> of the steps, then down to
/// max / (DivFactor * <see cref="FinalDivFactor"/>) at the last step.
/// </summary>
public sealed record OneCycleSchedule(float MaxRate, long TotalSteps, float WarmupFraction = 0.3f, float DivFactor = 25f, float FinalDivFactor = 1e4f)
    : ILearningRateSchedule
{
    public float RateAt(long step)
    {
        var initial = MaxRate / DivFactor;
        var final = initial / FinalDivFactor;
        var peakStep = Math.Max(1d, WarmupFraction * TotalSteps - 1);
        var lastStep = Math.Max(peakStep + 1, TotalSteps - 1);
        return step <= peakStep
            ? Anneal(initial, MaxRate, step / peakStep)
            : Anneal(MaxRate, final, Math.Min(1d, (step - peakStep) / (lastStep - peakStep)));
    }

    private static float Anneal(float from, float to, double progress) =>
        (float)(to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
}
