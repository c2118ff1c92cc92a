using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Export;

/// <summary>
/// What a checkpoint's run folder records about how it was made: the settings and provenance (config.json), the
/// metrics of each epoch (metrics.csv) and the test evaluation (evaluation.json). Whatever is missing or unreadable
/// is null, with a note saying why, so that a model card says what it does not know instead of failing.
/// </summary>
internal sealed record RunRecord(string? Folder, TrainConfig? Settings, Provenance? Provenance, IReadOnlyList<EpochRecord> Epochs,
    TestEvaluation? Test, IReadOnlyList<string> Notes)
{
    public static RunRecord Of(FileInfo checkpoint)
    {
        if (RunFolder.OfCheckpoint(checkpoint) is not { } folder)
        {
            return new RunRecord(null, null, null, [], null,
                [$"The checkpoint is not in a run folder's checkpoints/, so its settings, metrics and data are not known."]);
        }

        return OfFolder(folder);
    }

    /// <summary>What the run folder <paramref name="folder"/> (runs/&lt;name&gt;) records.</summary>
    public static RunRecord OfFolder(string folder)
    {
        var notes = new List<string>();
        var (settings, provenance) = Read(notes, () => TrainConfigFile.Load(Path.Combine(folder, TrainConfigFile.FileName)), TrainConfigFile.FileName, folder);
        var epochs = Read(notes, () => new MetricsCsv(Path.Combine(folder, "metrics.csv")).ReadAll(), "metrics.csv", folder) ?? [];
        var test = Read(notes, () => TestEvaluation.Read(folder), TestEvaluation.FileName, folder);
        return new RunRecord(folder, settings, provenance, epochs, test, notes);
    }

    private static T? Read<T>(List<string> notes, Func<T> read, string file, string folder)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IndexOutOfRangeException or IOException)
        {
            var why = e is FileNotFoundException ? "it is missing" : e.Message;
            notes.Add($"{file} in {folder} could not be read ({why}).");
            return default;
        }
    }
}
