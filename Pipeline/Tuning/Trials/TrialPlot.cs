using System.Globalization;
using CatsDogs.Pipeline.Plots;
using ScottPlot;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>
/// figures/trials.png: each measured trial as a point, images/s against input wait, numbered as in the table, with the
/// two limits a setting must keep and the chosen one ringed, so the trade-off behind the choice shows at a glance.
/// </summary>
internal static class TrialPlot
{
    public const string FileName = "trials.png";

    public static void Write(TuningSearch.Result result, string figures)
    {
        var (trials, chosen) = (result.Trials, result.Chosen);
        var plot = new Plot();
        PlotFonts.Apply(plot);
        var measured = trials.Where(trial => trial.Figures is not null).ToList();
        foreach (var phase in Enum.GetValues<TrialPhase>())
        {
            var ofPhase = measured.Where(trial => trial.Phase == phase).ToList();
            if (ofPhase.Count > 0)
            {
                var points = plot.Add.ScatterPoints(ofPhase.Select(WaitPercent).ToArray(), ofPhase.Select(trial => trial.ImagesPerSecond).ToArray());
                points.MarkerSize = 9;
                points.LegendText = phase == TrialPhase.Batch ? "batch size trials" : $"input trials at batch {chosen.Settings.BatchSize}";
            }
        }

        foreach (var trial in measured)
        {
            var label = plot.Add.Text(trial.Number.ToString(CultureInfo.InvariantCulture), WaitPercent(trial), trial.ImagesPerSecond);
            label.LabelFontSize = 11;
            label.LabelOffsetX = 6;
        }

        var ring = plot.Add.Marker(WaitPercent(chosen), chosen.ImagesPerSecond, MarkerShape.OpenCircle, 22, Colors.Red);
        ring.LegendText = $"chosen (trial {chosen.Number})";
        var waitLimit = plot.Add.VerticalLine(100 * TuningSearch.InputWaitLimit, 1, Colors.Gray, LinePattern.Dashed);
        waitLimit.LegendText = string.Create(CultureInfo.InvariantCulture, $"input wait limit ({TuningSearch.InputWaitLimit:P0})");
        if (result.Best > 0)
        {
            var throughputLimit = plot.Add.HorizontalLine((1 - TuningSearch.ThroughputTolerance) * result.Best, 1, Colors.Gray, LinePattern.Dotted);
            throughputLimit.LegendText = string.Create(CultureInfo.InvariantCulture, $"{TuningSearch.ThroughputTolerance:P0} below the best at batch {chosen.Settings.BatchSize}");
        }

        plot.Title("tune: one point per trial, numbered as in the table");
        plot.XLabel("input wait (% of the steps' time)");
        plot.YLabel("images/s");
        plot.ShowLegend();
        plot.SavePng(Path.Combine(figures, FileName), 900, 600);
    }

    private static double WaitPercent(Trial trial) => 100 * trial.Figures!.InputWait;
}
