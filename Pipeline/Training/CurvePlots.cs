using CatsDogs.Pipeline.Plots;

namespace CatsDogs.Pipeline.Training;

/// <summary>figures/loss.png and figures/accuracy.png: train and validation curves against epoch.</summary>
internal static class CurvePlots
{
    public static void Write(IReadOnlyList<EpochRecord> records, string figures)
    {
        Plot(records, "Loss", r => r.TrainLoss, r => r.ValLoss, Path.Combine(figures, "loss.png"));
        Plot(records, "Accuracy", r => r.TrainAccuracy, r => r.ValAccuracy, Path.Combine(figures, "accuracy.png"));
    }

    private static void Plot(IReadOnlyList<EpochRecord> records, string title, Func<EpochRecord, double> train, Func<EpochRecord, double> validation, string file)
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
        plot.SavePng(file, 800, 500);
    }
}
