using System.Globalization;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Training;

/// <summary>The end-of-run text, printed and saved as summary.txt.</summary>
internal static class TrainingSummary
{
    public static string Render(RunFolder run, TrainConfig config, string device, string decoder, TrainingOutcome outcome, string skipped)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "",
            $"run {run.Name}: {outcome.End}, {outcome.EpochsDone} of {config.Train.Epochs} epochs in {(outcome.Elapsed.TotalMinutes >= 1 ? $"{outcome.Elapsed.TotalMinutes.ToString("F1", c)} min" : $"{outcome.Elapsed.TotalSeconds.ToString("F0", c)} s")} on {device}, images decoded by {decoder}",
        };
        if (outcome.Best is { } best)
        {
            lines.Add(string.Create(c, $"best epoch {best.Epoch + 1} by {config.Train.Monitor.Name()}: val_loss {best.ValLoss:F4}, val_acc {best.ValAccuracy:F4} (checkpoints/best.json)"));
        }

        if (outcome.Last is { } last)
        {
            lines.Add(string.Create(c, $"last epoch {last.Epoch + 1}: val_loss {last.ValLoss:F4}, val_acc {last.ValAccuracy:F4}, {last.ImagesPerSecond:F0} img/s, input wait {last.InputWaitFraction:P1}"));
        }

        lines.Add(skipped);
        // A run stopped in its first epoch has checkpoints but no epoch row or curve yet.
        var files = new[] { "config.json", "metrics.csv", "figures/loss.png", "figures/accuracy.png", "checkpoints/" }
            .Where(file => File.Exists(run.File(file)) || Directory.Exists(run.File(file)))
            .Append("summary.txt");
        lines.Add($"files in {run.Path}: {string.Join(", ", files)}");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
