using System.Diagnostics.Metrics;

namespace CatsDogs.Telemetry;

/// <summary>
/// What the input pipeline records: images per stage, skipped images, batch assembly time, and the
/// queue depths and buffer-pool usage read when Prometheus scrapes.
/// Threading: the Add/Record methods are called from many dataflow workers at once and allocate
/// nothing (tags are cached or passed as a single struct). Tracking registrations is rare and
/// copy-on-write under <see cref="_registrationsLock"/>; scrape callbacks read the current array.
/// </summary>
public sealed class PipelineMetrics
{
    private static readonly KeyValuePair<string, object?>[] StageTags =
        [.. Enum.GetValues<PipelineStage>().Select(s => new KeyValuePair<string, object?>("stage", s.ToString().ToLowerInvariant()))];

    private readonly Counter<long> _images;
    private readonly Counter<long> _skipped;
    private readonly Histogram<double> _batchAssembly;

    private readonly Lock _registrationsLock = new();
    private Gauges[] _queues = [];
    private Gauges[] _pools = [];

    internal PipelineMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(CatsDogsMeter.Name);
        _images = meter.CreateCounter<long>("catsdogs.pipeline.images", "{image}", "Images that left a pipeline stage.");
        _skipped = meter.CreateCounter<long>("catsdogs.pipeline.images.skipped", "{image}", "Images the pipeline skipped, by reason.");
        _batchAssembly = meter.CreateHistogram("catsdogs.pipeline.batch.assembly.duration", "s",
            "Time to fill one batch buffer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BucketBoundaries.BatchAssemblySeconds });
        meter.CreateObservableGauge("catsdogs.pipeline.queue.depth", () => Observe(Volatile.Read(ref _queues)), "{item}",
            "Items waiting in a dataflow block, on its input or output side.");
        meter.CreateObservableUpDownCounter("catsdogs.pipeline.pool.buffers", () => Observe(Volatile.Read(ref _pools)), "{buffer}",
            "Pinned host batch buffers, free or in use.");
    }

    /// <summary>Counts <paramref name="count"/> images leaving <paramref name="stage"/>.</summary>
    public void AddImages(PipelineStage stage, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _images.Add(count, StageTags[(int)stage]);
    }

    /// <summary>Counts one skipped image. <paramref name="reason"/> is a short fixed word such as <c>corrupt</c>, never a file name.</summary>
    public void AddSkipped(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _skipped.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void RecordBatchAssembly(TimeSpan elapsed) => _batchAssembly.Record(elapsed.TotalSeconds);

    /// <summary>
    /// Reports a dataflow block's input and output counts at every scrape until the returned handle is
    /// disposed. <paramref name="block"/> must be unique among tracked blocks; the callbacks must be
    /// thread-safe (the Dataflow blocks' counts are).
    /// </summary>
    public IDisposable TrackQueue(string block, Func<int> inputCount, Func<int> outputCount) =>
        Track(ref _queues, "block", block, ("side", "input", inputCount), ("side", "output", outputCount));

    /// <summary>Reports the pinned buffer pool <paramref name="pool"/> (free and in use) at every scrape until disposed.</summary>
    public IDisposable TrackBufferPool(string pool, Func<int> free, Func<int> inUse) =>
        Track(ref _pools, "pool", pool, ("state", "free", free), ("state", "in_use", inUse));

    private Registration Track(ref Gauges[] list, string nameKey, string name, params (string Key, string Value, Func<int> Read)[] series)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var gauges = new Gauges(name, [.. series.Select(s =>
        {
            ArgumentNullException.ThrowIfNull(s.Read);
            return (s.Read, new KeyValuePair<string, object?>[] { new(nameKey, name), new(s.Key, s.Value) });
        })]);
        lock (_registrationsLock)
        {
            if (list.Any(g => g.Name == name))
            {
                throw new ArgumentException($"'{name}' is already tracked; names must be unique while tracked.", nameof(name));
            }

            list = [.. list, gauges];
        }

        return new Registration(this, gauges);
    }

    private void Untrack(Gauges gauges)
    {
        lock (_registrationsLock)
        {
            _queues = [.. _queues.Where(g => g != gauges)];
            _pools = [.. _pools.Where(g => g != gauges)];
        }
    }

    private static IEnumerable<Measurement<int>> Observe(Gauges[] tracked)
    {
        foreach (var gauges in tracked)
        {
            foreach (var (read, tags) in gauges.Series)
            {
                yield return new Measurement<int>(read(), tags);
            }
        }
    }

    private sealed record Gauges(string Name, (Func<int> Read, KeyValuePair<string, object?>[] Tags)[] Series);

    private sealed class Registration(PipelineMetrics owner, Gauges gauges) : IDisposable
    {
        public void Dispose() => owner.Untrack(gauges);
    }
}
