namespace CatsDogs.Model.Schedules;

/// <summary>rate = initial * gamma ^ floor(step / stepSize), PyTorch's StepLR counted in steps.</summary>
public sealed record StepSchedule(float InitialRate, long StepSize, float Gamma) : ILearningRateSchedule
{
    public float RateAt(long step) => InitialRate * MathF.Pow(Gamma, step / Math.Max(1, StepSize));
}
