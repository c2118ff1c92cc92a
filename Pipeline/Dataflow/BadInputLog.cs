using System.Collections.Concurrent;

namespace CatsDogs.Pipeline.Dataflow;

/// <summary>
/// Counts skipped images by reason and logs each bad file once, with its path, however many
/// epochs meet it again; the counts count every meeting.
/// Thread-safe; only the batch stage writes to it.
/// </summary>
internal sealed class BadInputLog(TextWriter log)
{
    private readonly long[] _counts = new long[SkipReasons.All.Length + 1];
    private readonly ConcurrentDictionary<string, SkipReason> _files = new(StringComparer.Ordinal);

    public long Total => _counts.Sum();

    public long Count(SkipReason reason) => Interlocked.Read(ref _counts[(int)reason]);

    /// <summary>Each bad file with its reason, in path order.</summary>
    public IEnumerable<KeyValuePair<string, SkipReason>> Files => _files.OrderBy(f => f.Key, StringComparer.Ordinal);

    public void Record(string path, SkipReason reason, string? detail)
    {
        Interlocked.Increment(ref _counts[(int)reason]);
        if (_files.TryAdd(path, reason))
        {
            log.WriteLine(detail is null ? $"skipped {path}: {reason.Describe()}" : $"skipped {path}: {reason.Describe()} ({detail})");
        }
    }

    /// <summary>Counts per reason and the total, for the end of a run.</summary>
    public string Summary()
    {
        if (Total == 0)
        {
            return "No image was skipped.";
        }

        var parts = SkipReasons.All.Where(r => Count(r) > 0).Select(r => $"{r.Describe()} {Count(r)}");
        return $"Skipped {Total} images ({_files.Count} distinct files): {string.Join(", ", parts)}.";
    }
}
