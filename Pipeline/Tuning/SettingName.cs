namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// The input settings a run reports by name: those a running process may change (<see cref="PipelineSettings"/>), and
/// the batch size and cache, which are reported but fixed for the run. One list, so that <c>retune</c>, the autotuner's
/// log, the metrics' attribute and the CSV all spell a setting the same way (<see cref="SettingNames.Label"/>).
/// </summary>
internal enum SettingName
{
    DecodeThreads,
    ReadThreads,
    AugmentThreads,
    Prefetch,
    QueuePerThread,
    BatchSize,
    Cache,
}

internal static class SettingNames
{
    /// <summary>The name as users and files write it, in snake case: decode_threads.</summary>
    public static string Label(this SettingName name) => name switch
    {
        SettingName.DecodeThreads => "decode_threads",
        SettingName.ReadThreads => "read_threads",
        SettingName.AugmentThreads => "augment_threads",
        SettingName.Prefetch => "prefetch",
        SettingName.QueuePerThread => "queue_per_thread",
        SettingName.BatchSize => "batch_size",
        SettingName.Cache => "cache",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
