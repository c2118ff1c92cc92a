using CatsDogs.Model.Schedules;

namespace CatsDogs.Tests.Model.Schedules;

public sealed class ScheduleTests
{
    [Fact]
    public void Constant_and_step_schedules_give_their_values()
    {
        Assert.Equal(0.3f, new ConstantSchedule(0.3f).RateAt(12345));
        var step = new StepSchedule(0.1f, 100, 0.5f);
        Assert.Equal(0.1f, step.RateAt(99));
        Assert.Equal(0.05f, step.RateAt(100));
        Assert.Equal(0.0125f, step.RateAt(350), 6);
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_follows_half_a_cosine()
    {
        var schedule = new CosineSchedule(PeakRate: 0.1f, TotalSteps: 110, WarmupSteps: 10, FinalRate: 0.01f);

        Assert.Equal(0.01f, schedule.RateAt(0), 6);
        Assert.Equal(0.05f, schedule.RateAt(4), 6);
        Assert.Equal(0.1f, schedule.RateAt(10), 6);
        Assert.Equal(0.055f, schedule.RateAt(60), 6);
        Assert.Equal(0.01f, schedule.RateAt(110), 6);
        Assert.Equal(0.01f, schedule.RateAt(500), 6);
    }

    [Fact]
    public void One_cycle_rises_to_the_peak_then_anneals_to_the_floor()
    {
        var schedule = new OneCycleSchedule(MaxRate: 1f, TotalSteps: 101, WarmupFraction: 0.3f, DivFactor: 25f, FinalDivFactor: 100f);
        var peak = 0.3 * 101 - 1;

        Assert.Equal(0.04f, schedule.RateAt(0), 6);
        Assert.Equal(1f, schedule.RateAt((long)Math.Ceiling(peak)), 2);
        Assert.Equal((float)(0.04 + 0.96 * 0.5 * (1 - Math.Cos(Math.PI * 10 / peak))), schedule.RateAt(10), 6);
        Assert.Equal(0.0004f, schedule.RateAt(100), 6);
    }

    [Fact]
    public void Reduce_on_plateau_cuts_after_patience_is_exceeded_and_respects_the_floor()
    {
        var plateau = new ReduceOnPlateau(0.1f, MetricGoal.Minimize, factor: 0.5f, patience: 2, minDelta: 0.01, minRate: 0.02f);
        double[] losses = [1.0, 0.9, 0.895, 0.91, 0.899, 0.85, 0.86, 0.86, 0.86, 0.86, 0.86, 0.86, 0.86];
        float[] expected = [0.1f, 0.1f, 0.1f, 0.1f, 0.05f, 0.05f, 0.05f, 0.05f, 0.025f, 0.025f, 0.025f, 0.02f, 0.02f];

        var rates = losses.Select(plateau.Report).ToArray();

        Assert.Equal(expected, rates);
        Assert.Equal(0.85, plateau.State.Best);
    }

    [Fact]
    public void Plateau_state_round_trips()
    {
        var original = new ReduceOnPlateau(0.1f, patience: 1);
        original.Report(1.0);
        original.Report(2.0);
        var copy = new ReduceOnPlateau(0.1f, patience: 1) { State = original.State };

        Assert.Equal(original.Report(3.0), copy.Report(3.0));
        Assert.Equal(0.01f, copy.Rate, 6);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_reports_without_a_real_improvement()
    {
        var stopping = new EarlyStopping(patience: 3, MetricGoal.Maximize, minDelta: 0.005);
        double[] accuracies = [0.70, 0.75, 0.754, 0.76, 0.758, 0.762, 0.764];
        bool[] expectedStop = [false, false, false, false, false, false, true];
        bool[] expectedBest = [true, true, false, true, false, false, false];

        var stops = new List<bool>();
        var best = new List<bool>();
        foreach (var accuracy in accuracies)
        {
            stops.Add(stopping.Report(accuracy));
            best.Add(stopping.LastWasBest);
        }

        Assert.Equal(expectedStop, stops);
        Assert.Equal(expectedBest, best);
        Assert.Equal(0.76, stopping.State.Best);
        Assert.Equal(3, stopping.State.BestReport);
    }
}
