using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// The values a running process accepts for each live setting: decode and augment threads up to the
/// cores (more would only take turns on them), read threads up to 256 (a read may wait on a disk),
/// and prefetch up to what the memory cap allows: the batch buffers may take at most a quarter of
/// the memory available when the run started, as the memory cache may.
/// </summary>
internal sealed record SettingLimits(int Cores, int MaxPrefetch)
{
    public const int MaxReadThreads = 256;

    public const int MaxQueuePerThread = 1024;

    public const int MaxPrefetchOption = 1024;

    public static SettingLimits For(InputPipeline pipeline)
    {
        var cap = ImageCaches.AvailableMemoryBytes() / 4;
        var buffers = cap / pipeline.Pool.BytesPerBuffer;
        var prefetch = (int)Math.Clamp(buffers - pipeline.Options.PoolSizeFor(0), 1, MaxPrefetchOption);
        return new SettingLimits(Environment.ProcessorCount, prefetch);
    }

    public (int Min, int Max) Range(SettingName name) => name switch
    {
        SettingName.DecodeThreads or SettingName.AugmentThreads => (1, Cores),
        SettingName.ReadThreads => (1, MaxReadThreads),
        SettingName.Prefetch => (1, MaxPrefetch),
        SettingName.QueuePerThread => (1, MaxQueuePerThread),
        _ => throw new ArgumentOutOfRangeException(nameof(name), $"{name.Label()} cannot change while a run goes on."),
    };

    /// <summary>Why <paramref name="value"/> is refused for <paramref name="name"/>, or null when it is accepted.</summary>
    public string? Refusal(SettingName name, int value)
    {
        var (min, max) = Range(name);
        if (value >= min && value <= max)
        {
            return null;
        }

        var why = name switch
        {
            SettingName.DecodeThreads or SettingName.AugmentThreads => $" ({Cores} cores)",
            SettingName.Prefetch => " (the batch buffers may take a quarter of the memory available)",
            _ => "",
        };
        return $"{name.Option()} must be between {min} and {max}{why}; got {value}.";
    }
}
