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
    /// <summary>A step needs one thread to make progress at all.</summary>
    public const int MinThreads = 1;

    /// <summary>The pipeline needs one finished batch to hand over.</summary>
    public const int MinPrefetch = 1;

    public const int MaxReadThreads = 256;

    public const int MaxQueuePerThread = 1024;

    public const int MaxPrefetchOption = 1024;

    public static SettingLimits For(InputPipeline pipeline) =>
        For(Environment.ProcessorCount, pipeline.Pool.BytesPerBuffer, pipeline.Options.PoolSizeFor(0), ImageCaches.AvailableMemoryBytes() / 4);

    /// <summary>
    /// Limits for <paramref name="cores"/> cores and batch buffers of <paramref name="bufferBytes"/> taking at most
    /// <paramref name="memoryCap"/> bytes, <paramref name="fixedBuffers"/> of them there whatever the prefetch; a cap
    /// too small for one more still allows the one batch the pipeline cannot run without.
    /// </summary>
    public static SettingLimits For(int cores, long bufferBytes, int fixedBuffers, long memoryCap) =>
        new(cores, (int)Math.Clamp(memoryCap / bufferBytes - fixedBuffers, MinPrefetch, MaxPrefetchOption));

    public (int Min, int Max) Range(SettingName name) => name switch
    {
        SettingName.DecodeThreads or SettingName.AugmentThreads => (MinThreads, Cores),
        SettingName.ReadThreads => (MinThreads, MaxReadThreads),
        SettingName.Prefetch => (MinPrefetch, MaxPrefetch),
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
