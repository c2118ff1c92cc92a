namespace CatsDogs.Model.Schedules;

/// <summary>
/// Linear warm-up from 0 to <see cref="PeakRate"/> over <see cref="WarmupSteps"/>, then half a
/// cosine down to <see cref="FinalRate"/> at <see cref="TotalSteps"/>, where it stays.
/// Step s of the warm-up trains at peak * (s + 1) / warmup, so the first step is not wasted at 0.
/// </summary>
public sealed record CosineSchedule(float PeakRate, long TotalSteps, long WarmupSteps = 0, float FinalRate = 0f) : ILearningRateSchedule
{
    public float RateAt(long step)
    {
        if (step < WarmupSteps)
        {
            return PeakRate * (step + 1) / WarmupSteps;
        }

        var span = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / span, 0d, 1d);
        return (float)(FinalRate + (PeakRate - FinalRate) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
