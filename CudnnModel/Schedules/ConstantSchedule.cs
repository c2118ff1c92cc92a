namespace CatsDogs.Model.Schedules;

public sealed record ConstantSchedule(float Rate) : ILearningRateSchedule
{
    public float RateAt(long step) => Rate;
}
