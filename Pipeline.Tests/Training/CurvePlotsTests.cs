using CatsDogs.Pipeline.Training;

namespace CatsDogs.Tests.Training;

public sealed class CurvePlotsTests
{
    [Fact]
    public void The_accuracy_axis_ends_at_one_when_a_curve_reaches_it()
    {
        using var plot = CurvePlots.Accuracy([Epoch(0, 0.62, 0.70), Epoch(1, 0.93, 0.97), Epoch(2, 1.0, 0.99)]);
        plot.GetImage(800, 500).Dispose();

        var limits = plot.Axes.GetLimits();
        Assert.Equal(1.0, limits.Top);
        Assert.InRange(limits.Bottom, 0, 0.62);
    }

    [Fact]
    public void The_accuracy_axis_keeps_its_margin_when_the_curves_are_far_from_the_bounds()
    {
        using var plot = CurvePlots.Accuracy([Epoch(0, 0.40, 0.45), Epoch(1, 0.55, 0.60)]);
        plot.GetImage(800, 500).Dispose();

        var limits = plot.Axes.GetLimits();
        Assert.InRange(limits.Top, 0.6001, 0.9999);
        Assert.InRange(limits.Bottom, 0.0001, 0.3999);
    }

    private static EpochRecord Epoch(int epoch, double train, double validation) =>
        new(epoch, 0.5, train, 0.5, validation, 1e-3, 100, 0, 1);
}
