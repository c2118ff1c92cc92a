using System.Globalization;
using CatsDogs.Pipeline.Plots;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>figures/confusion.png: the confusion matrix as a grid shaded by each row's share, true class down the side.</summary>
internal static class ConfusionFigure
{
    public const string FileName = "confusion.png";

    public static void Write(ConfusionMatrix confusion, string file)
    {
        using var plot = new ScottPlot.Plot();
        PlotFonts.Apply(plot);
        int[,] counts = { { confusion.CatAsCat, confusion.CatAsDog }, { confusion.DogAsCat, confusion.DogAsDog } };

        // Shaded by the share of the true class, so that a rare class's mistakes show as plainly as a common one's.
        var shares = new double[2, 2];
        for (var row = 0; row < 2; row++)
        {
            var total = Math.Max(1, counts[row, 0] + counts[row, 1]);
            for (var column = 0; column < 2; column++)
            {
                shares[row, column] = (double)counts[row, column] / total;
            }
        }

        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues());
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        for (var row = 0; row < 2; row++)
        {
            for (var column = 0; column < 2; column++)
            {
                var text = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"{counts[row, column]}\n{shares[row, column]:P1}"), column, 1 - row);
                text.LabelFontSize = 22;
                text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontColor = shares[row, column] > 0.5 ? ScottPlot.Colors.White : ScottPlot.Colors.Black;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0, 1], ["cat", "dog"]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([0, 1], ["dog", "cat"]);
        plot.Title($"Confusion matrix ({confusion.Total} images)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(file, 560, 500);
    }
}
