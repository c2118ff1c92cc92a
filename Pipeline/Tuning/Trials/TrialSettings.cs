using System.Globalization;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>
/// What one trial of `catsdogs tune` fixes: the batch and the input settings it varies. The read and augment
/// threads are left to follow <see cref="DecodeThreads"/>, as they do when not given.
/// </summary>
internal sealed record TrialSettings(int BatchSize, int DecodeThreads, int Prefetch, CacheMode Cache, int QueuePerThread)
{
    /// <summary>The caches from cheapest to dearest: none; this process's memory; a file, which also fills the page cache and has to be built and verified.</summary>
    public static readonly CacheMode[] CachesByCost = [CacheMode.Off, CacheMode.Memory, CacheMode.Disk];

    /// <summary>
    /// Which of two settings that both keep up is cheaper: fewer threads, then less memory. A cache holds the whole data set
    /// and a prefetch buffer one batch, so the cache is compared before the prefetch depth.
    /// </summary>
    public static readonly IComparer<TrialSettings> Cheaper = Comparer<TrialSettings>.Create((a, b) =>
        (a.DecodeThreads, Array.IndexOf(CachesByCost, a.Cache), a.Prefetch).CompareTo((b.DecodeThreads, Array.IndexOf(CachesByCost, b.Cache), b.Prefetch)));

    public InputPipelineOptions ApplyTo(InputPipelineOptions options) => options with
    {
        BatchSize = BatchSize, DecodeThreads = DecodeThreads, ReadThreads = null, AugmentThreads = null, Prefetch = Prefetch, QueuePerThread = QueuePerThread, Cache = Cache,
    };

    /// <summary>
    /// Host memory the setting takes: its batch buffers, and a memory cache's estimate for <paramref name="images"/> images
    /// (the one --cache auto goes by; a disk cache's pages are the kernel's to drop).
    /// </summary>
    public long MemoryBytes(InputPipelineOptions options, int images)
    {
        var applied = ApplyTo(options);
        var buffers = applied.PoolSize * BatchBuffer.BytesFor(BatchSize, options.ImageSize);
        return Cache == CacheMode.Memory ? buffers + CacheLayout.For(PassKind.Training, applied).EstimateBytes(images) : buffers;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"batch {BatchSize}, {DecodeThreads} thread{(DecodeThreads == 1 ? "" : "s")}, prefetch {Prefetch}, cache {Cache.ToString().ToLowerInvariant()}");
}
