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
            // Claimed only when the file holds that epoch: a full disk may have kept an older one, or none.
            var file = outcome.Checkpoints[CheckpointLedger.Best];
            var where = file.HeldEpochs == best.Epoch + 1 ? file.File : $"not saved: {Holds(file)}";
            lines.Add(string.Create(c, $"best epoch {best.Epoch + 1} by {config.Train.Monitor.Name()}: val_loss {best.ValLoss:F4}, val_acc {best.ValAccuracy:F4} ({where})"));
        }

        if (outcome.Last is { } last)
        {
            lines.Add(string.Create(c, $"last epoch {last.Epoch + 1}: val_loss {last.ValLoss:F4}, val_acc {last.ValAccuracy:F4}, {last.ImagesPerSecond:F0} img/s, input wait {last.InputWaitFraction:P1}"));
        }

        foreach (var failed in outcome.Checkpoints.Failed)
        {
            var resume = failed.Name == CheckpointLedger.Last ? $"; --resume would go back to {(failed.HeldEpochs is null ? "the beginning" : "it")}" : "";
            lines.Add($"warning: writing {failed.File} for epoch {failed.FailedEpochs} failed ({failed.Failure}); {Holds(failed)}{resume}.");
        }

        lines.Add(skipped);
        // A run stopped in its first epoch has checkpoints but no epoch row or curve yet.
        var files = new[] { "config.json", "metrics.csv", "settings.csv", "gpu.csv", "figures/loss.png", "figures/accuracy.png", "checkpoints/" }
            .Where(file => File.Exists(run.File(file)) || Directory.Exists(run.File(file)))
            .Append("summary.txt");
        lines.Add($"files in {run.Path}: {string.Join(", ", files)}");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static string Holds(CheckpointLedger.Entry file) =>
        file.HeldEpochs is { } held ? $"{file.File} holds epoch {held}" : $"there is no {file.File}";
}
