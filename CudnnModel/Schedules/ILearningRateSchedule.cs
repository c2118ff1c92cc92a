namespace CatsDogs.Model.Schedules;

/// <summary>A learning rate as a pure function of the optimizer step (0-based), so a resumed run picks up exactly where it was.</summary>
public interface ILearningRateSchedule
{
    float RateAt(long step);
}
