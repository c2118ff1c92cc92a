using System.Globalization;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Plots;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Explore;

/// <summary>
/// Writes the original project's data exploration into a run folder: histograms of widths and
/// heights, the most skewed images as a contact sheet and an exclude-list-ready list, the
/// corrupt-file list, and a summary.
/// </summary>
internal static class ExploreReport
{
    public static string Write(DatasetIndex index, ImageFacts[] facts, RunFolder run, int skewedCount)
    {
        var good = facts.Where(f => f.Problem == SkipReason.None).ToArray();
        WriteHistogram(good.Select(f => (double)f.Width).ToArray(), "Image widths", "width (px)", Path.Combine(run.Figures, "widths.png"));
        WriteHistogram(good.Select(f => (double)f.Height).ToArray(), "Image heights", "height (px)", Path.Combine(run.Figures, "heights.png"));

        // A square image is not skewed at all, however many there are (CIFAR has nothing else).
        var skewed = good.Where(f => f.Skew > 1).OrderByDescending(f => f.Skew).ThenBy(f => f.Entry.RelativePath, StringComparer.Ordinal).Take(skewedCount).ToArray();
        File.WriteAllLines(run.File("most-skewed.txt"), [
            "# The most skewed images (longer side / shorter side). Pass this file to --exclude to leave them out.",
            .. skewed.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Entry.RelativePath}  # {f.Width}x{f.Height}, {f.Skew:F2}")),
        ]);
        if (skewed.Length > 0)
        {
            var tiles = skewed.Select(f => new ContactSheet.Tile(
                index.FullPath(f.Entry), [f.Entry.RelativePath, string.Create(CultureInfo.InvariantCulture, $"{f.Width}x{f.Height}, {f.Skew:F2}")])).ToList();
            ContactSheet.Write(tiles, Path.Combine(run.Figures, "most-skewed.png"), columns: 5);
        }

        var bad = facts.Where(f => f.Problem != SkipReason.None).OrderBy(f => f.Entry.RelativePath, StringComparer.Ordinal).ToArray();
        File.WriteAllLines(run.File("corrupt.txt"), bad.Select(f => $"{f.Entry.RelativePath}\t{f.Problem.Describe()}{(f.Detail is null ? "" : $" ({f.Detail})")}"));

        var summary = Summary(index, good, bad, skewed);
        File.WriteAllText(run.File("summary.txt"), summary);
        return summary;
    }

    private static string Summary(DatasetIndex index, ImageFacts[] good, ImageFacts[] bad, ImageFacts[] skewed)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"data: {index.Root} ({index.Layout})",
            $"images: {good.Length + bad.Length} ({index.Count(ImageLabel.Cat)} cats, {index.Count(ImageLabel.Dog)} dogs, {index.Count(ImageLabel.Unlabeled)} unlabeled)",
        };
        if (good.Length > 0)
        {
            lines.Add(string.Create(c, $"width: min {good.Min(f => f.Width)}, mean {good.Average(f => f.Width):F1}, max {good.Max(f => f.Width)}"));
            lines.Add(string.Create(c, $"height: min {good.Min(f => f.Height)}, mean {good.Average(f => f.Height):F1}, max {good.Max(f => f.Height)}"));
            lines.Add(skewed.Length == 0
                ? "most skewed: none, every image is square"
                : string.Create(c, $"most skewed: {string.Join(", ", skewed.Take(3).Select(f => $"{f.Entry.RelativePath} ({f.Skew:F2})"))}{(skewed.Length > 3 ? ", ... (most-skewed.txt)" : "")}"));
        }

        lines.Add(bad.Length == 0
            ? "corrupt files: none"
            : $"corrupt files: {bad.Length} ({string.Join(", ", bad.GroupBy(f => f.Problem).Select(g => $"{g.Key.Describe()} {g.Count()}"))}); see corrupt.txt");
        lines.AddRange(bad.Select(f => $"  {f.Entry.RelativePath}: {f.Problem.Describe()}"));
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static void WriteHistogram(double[] values, string title, string axis, string file)
    {
        var plot = new ScottPlot.Plot();
        PlotFonts.Apply(plot);
        if (values.Length > 0)
        {
            // Bins of at least one pixel, centred on whole sizes, so a data set of one size (CIFAR) still plots.
            var (min, max) = (values.Min() - 0.5, values.Max() + 0.5);
            var histogram = ScottPlot.Statistics.Histogram.WithBinCount((int)Math.Min(50, max - min), min, max);
            histogram.AddRange(values);
            plot.Add.Histogram(histogram);
        }

        plot.Title(title);
        plot.XLabel(axis);
        plot.YLabel("images");
        plot.SavePng(file, 800, 500);
    }
}
