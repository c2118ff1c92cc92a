namespace CatsDogs.Pipeline.Tuning;

/// <summary>The settings a user tunes a run by, as settings.csv, the log and the <c>catsdogs.pipeline.setting</c> gauge name them.</summary>
internal enum SettingName
{
    DecodeThreads,
    ReadThreads,
    AugmentThreads,
    Prefetch,
    QueuePerThread,

    /// <summary>Reported, never changed while a run goes on: it is part of the optimisation (<c>tune</c> chooses it).</summary>
    BatchSize,

    /// <summary>Reported, never changed while a run goes on: 0 off, 1 memory, 2 disk, 3 auto before the first pass decides.</summary>
    Cache,
}

internal static class SettingNames
{
    /// <summary>The settings a running process may change.</summary>
    public static readonly SettingName[] Live = [SettingName.DecodeThreads, SettingName.ReadThreads, SettingName.AugmentThreads, SettingName.Prefetch, SettingName.QueuePerThread];

    public static readonly SettingName[] All = Enum.GetValues<SettingName>();

    /// <summary>The snake_case label: <c>decode_threads</c>.</summary>
    public static string Label(this SettingName name) => name switch
    {
        SettingName.DecodeThreads => "decode_threads",
        SettingName.ReadThreads => "read_threads",
        SettingName.AugmentThreads => "augment_threads",
        SettingName.Prefetch => "prefetch",
        SettingName.QueuePerThread => "queue_per_thread",
        SettingName.BatchSize => "batch_size",
        SettingName.Cache => "cache",
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The command-line option that sets it: <c>--decode-threads</c>.</summary>
    public static string Option(this SettingName name) => "--" + name.Label().Replace('_', '-');

    public static bool TryParse(string label, out SettingName name)
    {
        foreach (var candidate in All)
        {
            if (candidate.Label() == label)
            {
                name = candidate;
                return true;
            }
        }

        name = default;
        return false;
    }
}
