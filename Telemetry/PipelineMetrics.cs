using System.Diagnostics.Metrics;

namespace CatsDogs.Telemetry;

/// <summary>
/// What the input pipeline exports. Images per stage, skipped images, queue depths and buffer-pool
/// usage are read from the pipeline's own counters when Prometheus scrapes, so the per-image path pays
/// nothing for them (an exported counter add costs a tag lookup and an interlocked update per call,
/// four calls per image), and every series exists from the start, zeros included. Batch assembly
/// time is recorded as it happens. Threading: <see cref="RecordBatchAssembly"/> may be called from
/// any thread and allocates nothing. Tracking is rare and copy-on-write under <see cref="_trackLock"/>;
/// scrape callbacks read the current arrays without locks, and the tracked callbacks must be thread-safe.
/// </summary>
public sealed class PipelineMetrics
{
    private readonly Histogram<double> _batchAssembly;

    private readonly Lock _trackLock = new();
    private Tracked[] _images = [];
    private Tracked[] _skipped = [];
    private Tracked[] _queues = [];
    private Tracked[] _pools = [];
    private Tracked[] _settings = [];

    internal PipelineMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CatsDogsMeter.Name);
        meter.CreateObservableCounter("catsdogs.pipeline.images", () => Observe(Volatile.Read(ref _images)), "{image}",
            "Images that left a pipeline stage.");
        meter.CreateObservableCounter("catsdogs.pipeline.images.skipped", () => Observe(Volatile.Read(ref _skipped)), "{image}",
            "Images the pipeline skipped, by reason.");
        _batchAssembly = meter.CreateHistogram("catsdogs.pipeline.batch.assembly.duration", "s",
            "Time to fill one batch buffer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketBoundaries.BatchAssemblySeconds });
        meter.CreateObservableGauge("catsdogs.pipeline.queue.depth", () => Observe(Volatile.Read(ref _queues)), "{item}",
            "Items waiting in a dataflow block, on its input or output side. Blocks: `decode` (the workers, which read, decode and warp each image; over a complete cache, batches waiting to be warped) and `batch`.");
        meter.CreateObservableUpDownCounter("catsdogs.pipeline.pool.buffers", () => Observe(Volatile.Read(ref _pools)), "{buffer}",
            "Pinned host batch buffers, free or in use.");
        meter.CreateObservableGauge("catsdogs.pipeline.setting", () => Observe(Volatile.Read(ref _settings)), "{value}",
            "A setting of the input pipeline in force: `decode_threads`, `read_threads`, `augment_threads`, `prefetch` (batches), `queue_per_thread` (chunks), " +
            "`batch_size` (images) and `cache` (0 off, 1 memory, 2 disk, 3 auto before the first pass decides). A retune or the autotuner moves the first five.");
    }

    public void RecordBatchAssembly(TimeSpan elapsed) => _batchAssembly.Record(elapsed.TotalSeconds);

    /// <summary>
    /// Exports <paramref name="images"/>, the count of images that left <paramref name="stage"/> (never
    /// decreasing), at every scrape until the returned handle is disposed.
    /// </summary>
    public IDisposable TrackImages(PipelineStage stage, Func<long> images)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(Enum.IsDefined(stage), true, nameof(stage));
        ArgumentNullException.ThrowIfNull(images);
        var name = stage.ToString().ToLowerInvariant();
        return Track(ref _images, name, (images, [new("stage", name)]));
    }

    /// <summary>
    /// Exports <paramref name="skipped"/>, the count of images skipped for <paramref name="reason"/> (never
    /// decreasing), at every scrape until disposed. The reason is a short fixed word such as <c>corrupt</c>, never a file name.
    /// </summary>
    public IDisposable TrackSkipped(string reason, Func<long> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        return Track(ref _skipped, reason, (skipped, [new("reason", reason)]));
    }

    /// <summary>
    /// Exports a dataflow block's input and output counts at every scrape until the returned handle is
    /// disposed. <paramref name="block"/> must be unique among tracked blocks.
    /// </summary>
    public IDisposable TrackQueue(string block, Func<int> inputCount, Func<int> outputCount) =>
        TrackPair(ref _queues, "block", block, "side", ("input", inputCount), ("output", outputCount));

    /// <summary>Exports the pinned buffer pool <paramref name="pool"/> (free and in use) at every scrape until disposed.</summary>
    public IDisposable TrackBufferPool(string pool, Func<int> free, Func<int> inUse) =>
        TrackPair(ref _pools, "pool", pool, "state", ("free", free), ("in_use", inUse));

    /// <summary>Exports the value in force of the pipeline setting <paramref name="setting"/> (a snake_case name) at every scrape until disposed.</summary>
    public IDisposable TrackSetting(string setting, Func<long> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Track(ref _settings, setting, (value, [new("setting", setting)]));
    }

    /// <summary>Two series of one tracked thing, told apart by <paramref name="key"/>.</summary>
    private Registration TrackPair(
        ref Tracked[] list, string nameKey, string name, string key, (string Value, Func<int> Read) first, (string Value, Func<int> Read) second)
    {
        ArgumentNullException.ThrowIfNull(first.Read);
        ArgumentNullException.ThrowIfNull(second.Read);
        return Track(ref list, name,
            (() => first.Read(), [new(nameKey, name), new(key, first.Value)]),
            (() => second.Read(), [new(nameKey, name), new(key, second.Value)]));
    }

    private Registration Track(ref Tracked[] list, string name, params (Func<long> Read, KeyValuePair<string, object?>[] Tags)[] series)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tracked = new Tracked(name, series);
        lock (_trackLock)
        {
            if (list.Any(t => t.Name == name))
            {
                throw new ArgumentException($"'{name}' is already tracked; names must be unique while tracked.", nameof(name));
            }

            list = [.. list, tracked];
        }

        return new Registration(this, tracked);
    }

    private void Untrack(Tracked tracked)
    {
        lock (_trackLock)
        {
            _images = [.. _images.Where(t => t != tracked)];
            _skipped = [.. _skipped.Where(t => t != tracked)];
            _queues = [.. _queues.Where(t => t != tracked)];
            _pools = [.. _pools.Where(t => t != tracked)];
            _settings = [.. _settings.Where(t => t != tracked)];
        }
    }

    private static IEnumerable<Measurement<long>> Observe(Tracked[] tracked)
    {
        foreach (var item in tracked)
        {
            foreach (var (read, tags) in item.Series)
            {
                yield return new Measurement<long>(read(), tags);
            }
        }
    }

    private sealed record Tracked(string Name, (Func<long> Read, KeyValuePair<string, object?>[] Tags)[] Series);

    private sealed class Registration(PipelineMetrics owner, Tracked tracked) : IDisposable
    {
        public void Dispose() => owner.Untrack(tracked);
    }
}
