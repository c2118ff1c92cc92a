using CatsDogs.Pipeline.Plots;

namespace CatsDogs.Pipeline.Training;

/// <summary>figures/loss.png and figures/accuracy.png: train and validation curves against epoch; and runs compared by time.</summary>
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
        ClampToAccuracies(plot);
        return plot;
    }

    /// <summary>Each run's validation accuracy against its summed training seconds, with a dashed line at <paramref name="target"/>.</summary>
    public static ScottPlot.Plot AccuracyAgainstTime(IReadOnlyList<ComparedRun> runs, double target)
    {
        var plot = new ScottPlot.Plot();
        PlotFonts.Apply(plot);
        foreach (var run in runs)
        {
            var line = plot.Add.Scatter(run.ElapsedSeconds.ToArray(), run.Epochs.Select(epoch => epoch.ValAccuracy).ToArray());
            line.LegendText = run.Model is null ? run.Name : $"{run.Name} ({run.Model})";
        }

        var targetLine = plot.Add.HorizontalLine(target);
        targetLine.LinePattern = ScottPlot.LinePattern.Dashed;
        targetLine.LegendText = $"{target:0.###}";
        plot.Title("Validation accuracy against training time");
        plot.XLabel("training seconds (summed epoch_seconds)");
        plot.YLabel("validation accuracy");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        ClampToAccuracies(plot);
        return plot;
    }

    private static void ClampToAccuracies(ScottPlot.Plot plot)
    {
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimitsY(Math.Max(0, limits.Bottom), Math.Min(1, limits.Top));
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
