using CatsDogs.Model.Checkpoints;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// What each checkpoint file of a run really holds, and whether its latest write failed. A failed
/// write keeps the previous file (checkpoints are replaced atomically), so after a full disk the
/// file may hold an older epoch than the run has reached, or not exist at all: the summary, the
/// console and the exit code say so rather than claim it.
/// </summary>
internal sealed class CheckpointLedger
{
    public const string Best = "best";
    public const string Last = "last";

    private readonly Dictionary<string, Entry> _entries;

    private CheckpointLedger(Dictionary<string, Entry> entries) => _entries = entries;

    /// <param name="HeldEpochs">Epochs done in the checkpoint the file holds; null where there is no file.</param>
    /// <param name="FailedEpochs">The epochs done of the latest write, where it failed; null once a write succeeds.</param>
    public sealed record Entry(string Name, int? HeldEpochs, int? FailedEpochs, string? Failure)
    {
        public string File => $"checkpoints/{Name}.json";
    }

    /// <summary>The checkpoints already in <paramref name="folder"/>: none for a new run, those a resumed run left.</summary>
    public static CheckpointLedger Read(string folder) => new(new[] { Best, Last }.ToDictionary(name => name, name =>
    {
        var path = Path.Combine(folder, $"{name}.json");
        return new Entry(name, System.IO.File.Exists(path) ? Checkpoint.Inspect(path).Epoch : null, null, null);
    }));

    public Entry this[string name] => _entries[name];

    /// <summary>The checkpoints whose latest write failed.</summary>
    public IEnumerable<Entry> Failed => _entries.Values.Where(entry => entry.FailedEpochs is not null);

    public void Written(string name, int epochs) => _entries[name] = new Entry(name, epochs, null, null);

    public void WriteFailed(string name, int epochs, string reason) => _entries[name] = _entries[name] with { FailedEpochs = epochs, Failure = reason };
}
