using CatsDogs.Pipeline.Plots;

namespace CatsDogs.Pipeline.Training;

/// <summary>figures/loss.png and figures/accuracy.png: train and validation curves against epoch.</summary>
internal static class CurvePlots
{
    public static void Write(IReadOnlyList<EpochRecord> records, string figures)
    {
        using var loss = Loss(records);
        loss.SavePng(Path.Combine(figures, "loss.png"), 800, 500);
        using var accuracy = Accuracy(records);
        accuracy.SavePng(Path.Combine(figures, "accuracy.png"), 800, 500);
    }

    public static ScottPlot.Plot Loss(IReadOnlyList<EpochRecord> records) => Plot(records, "Loss", r => r.TrainLoss, r => r.ValLoss);

    /// <summary>The accuracy curves, on a y axis that stops at 0 and 1: the autoscale's margin would show accuracies no model can reach.</summary>
    public static ScottPlot.Plot Accuracy(IReadOnlyList<EpochRecord> records)
    {
        var plot = Plot(records, "Accuracy", r => r.TrainAccuracy, r => r.ValAccuracy);
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimitsY(Math.Max(0, limits.Bottom), Math.Min(1, limits.Top));
        return plot;
    }

    private static ScottPlot.Plot Plot(IReadOnlyList<EpochRecord> records, string title, Func<EpochRecord, double> train, Func<EpochRecord, double> validation)
    {
        var plot = new ScottPlot.Plot();
        PlotFonts.Apply(plot);
        var epochs = records.Select(r => (double)r.Epoch + 1).ToArray();
        var trainLine = plot.Add.Scatter(epochs, records.Select(train).ToArray());
        trainLine.LegendText = "train";
        var validationLine = plot.Add.Scatter(epochs, records.Select(validation).ToArray());
        validationLine.LegendText = "validation";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(title.ToLowerInvariant());
        plot.ShowLegend();
        return plot;
    }
}
