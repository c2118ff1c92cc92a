using CatsDogs.Pipeline.Export;
using CatsDogs.Pipeline.Inference;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// One run as `catsdogs compare` sets it beside others: its validation accuracy after each epoch, against the
/// training time summed over the epochs so far (epoch_seconds, which leaves out start-up and the test evaluation).
/// </summary>
internal sealed record ComparedRun(string Name, string? Model, IReadOnlyList<EpochRecord> Epochs, double? TestAccuracy, TestTimeAugmentation TestTta)
{
    /// <summary>The run in <paramref name="folder"/>; an <see cref="InvalidDataException"/> when it has no epochs to compare.</summary>
    public static ComparedRun Read(string folder)
    {
        var record = RunRecord.OfFolder(folder);
        if (record.Epochs.Count == 0)
        {
            throw new InvalidDataException($"'{folder}' has no finished epoch to compare: {string.Join(" ", record.Notes.DefaultIfEmpty("its metrics.csv is empty."))}");
        }

        return new ComparedRun(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), record.Settings?.Train.Model, record.Epochs,
            record.Test?.Accuracy, record.Test?.Tta ?? TestTimeAugmentation.None);
    }

    /// <summary>Seconds of training at the end of each epoch.</summary>
    public IReadOnlyList<double> ElapsedSeconds
    {
        get
        {
            var sum = 0d;
            return Epochs.Select(epoch => sum += epoch.EpochSeconds).ToArray();
        }
    }

    /// <summary>The epoch with the highest validation accuracy (the first of equals).</summary>
    public int BestEpoch => Enumerable.Range(0, Epochs.Count).MaxBy(i => Epochs[i].ValAccuracy);

    /// <summary>The index of the first epoch whose validation accuracy is at least <paramref name="accuracy"/>; null when none is.</summary>
    public int? FirstEpochReaching(double accuracy)
    {
        var index = Epochs.ToList().FindIndex(epoch => epoch.ValAccuracy >= accuracy);
        return index < 0 ? null : index;
    }
}
