using System.Runtime.CompilerServices;
using CatsDogs.Model.Memory;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Dataflow.Internal;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Dataflow;

/// <summary>
/// Turns image files into batches in host memory, in parallel and bounded, one pass at a time.
/// The batch buffer pool, the counters and the bad-input log live as long as the pipeline; each
/// pass builds a fresh dataflow graph over them. One pass runs at a time. With
/// <see cref="PipelineMetrics"/>, the stage counts, queue depths and pool usage are read at every
/// scrape for as long as the pipeline lives, and skipped images and batch assembly times are recorded.
/// </summary>
internal sealed class InputPipeline : IDisposable
{
    private readonly IDisposable[] _tracked;
    private readonly TextWriter _log;
    private readonly Dictionary<(ImageSource, PassKind), ImageCache?> _caches = [];
    private Pass? _activePass;
    private PipelineSettings _settings;
    private int _cacheInForce = -1;

    public InputPipeline(InputPipelineOptions options, IHostMemoryAllocator allocator, TextWriter log, PipelineMetrics? metrics = null)
    {
        Options = options;
        _log = log;
        Decoder = ImageDecoders.Create(options.Decoder, log);
        Metrics = metrics;
        BadInput = new BadInputLog(log);
        _settings = InForce(options.Settings);
        Pool = new BatchBufferPool(allocator, Options.PoolSizeFor(Settings.Prefetch), options.BatchSize, options.ImageSize);
        WorkerGate = new ConcurrencyGate(Settings.Workers);
        ReadGate = new ConcurrencyGate(Settings.ReadThreads);
        DecodeGate = new ConcurrencyGate(Settings.DecodeThreads);
        AugmentGate = new ConcurrencyGate(Settings.AugmentThreads);
        ReadStage = new StageStatistics("read", Settings.ReadThreads);
        DecodeStage = new StageStatistics("decode", Settings.DecodeThreads);
        AugmentStage = new StageStatistics("augment", Settings.AugmentThreads);
        BatchStage = new StageStatistics("batch", 1);
        _tracked = metrics is null
            ? []
            : [
                metrics.TrackImages(PipelineStage.Read, () => ReadStage.Images),
                metrics.TrackImages(PipelineStage.Decode, () => DecodeStage.Images),
                metrics.TrackImages(PipelineStage.Augment, () => AugmentStage.Images),
                metrics.TrackImages(PipelineStage.Batch, () => BatchStage.Images),
                .. SkipReasons.All.Select(r => metrics.TrackSkipped(r.Label(), () => BadInput.Count(r))),
                .. QueuedStages.Select(s => metrics.TrackQueue(s.Name, () => QueueDepth(s.Name).Input, () => QueueDepth(s.Name).Output)),
                metrics.TrackBufferPool("batches", () => Pool.Free, () => Pool.InUse),
            ];
    }

    public PipelineMetrics? Metrics { get; }

    /// <summary>The settings in force: those asked for, with the decode and augment threads at most one per core.</summary>
    public PipelineSettings Settings
    {
        get => Volatile.Read(ref _settings);
        private set => Volatile.Write(ref _settings, value);
    }

    /// <summary>Where the first pass's images are cached (memory, disk or off); the option asked for until a pass starts.</summary>
    public CacheMode CacheInForce => Volatile.Read(ref _cacheInForce) is var mode and >= 0 ? (CacheMode)mode : Options.Cache;

    /// <summary>Workers holding a chunk, from its read to its warp.</summary>
    internal ConcurrencyGate WorkerGate { get; }

    internal ConcurrencyGate ReadGate { get; }

    internal ConcurrencyGate DecodeGate { get; }

    internal ConcurrencyGate AugmentGate { get; }

    public InputPipelineOptions Options { get; }

    public IImageDecoder Decoder { get; }

    public BatchBufferPool Pool { get; }

    public BadInputLog BadInput { get; }

    public StageStatistics ReadStage { get; }

    public StageStatistics DecodeStage { get; }

    public StageStatistics AugmentStage { get; }

    public StageStatistics BatchStage { get; }

    public IReadOnlyList<StageStatistics> Stages => [ReadStage, DecodeStage, AugmentStage, BatchStage];

    /// <summary>The stages with a block, and so a queue, of their own: the workers (which read, decode and warp) and the batcher.</summary>
    public IReadOnlyList<StageStatistics> QueuedStages => [DecodeStage, BatchStage];

    /// <summary>
    /// Puts <paramref name="requested"/> in force at once, in the middle of a pass too: the gates let
    /// more workers in or fewer, the batch pool grows or sheds buffers as they come back, and the
    /// running pass's chunk pool follows. What a batch holds does not change. Returns the settings in
    /// force. Thread-safe with respect to the pass; one retune at a time.
    /// </summary>
    public PipelineSettings Retune(PipelineSettings requested)
    {
        var settings = InForce(requested);
        Settings = settings;
        Pool.Resize(Options.PoolSizeFor(settings.Prefetch));
        WorkerGate.Limit = settings.Workers;
        ReadGate.Limit = settings.ReadThreads;
        DecodeGate.Limit = settings.DecodeThreads;
        AugmentGate.Limit = settings.AugmentThreads;
        ReadStage.Parallelism = settings.ReadThreads;
        DecodeStage.Parallelism = settings.DecodeThreads;
        AugmentStage.Parallelism = settings.AugmentThreads;
        return settings;
    }

    /// <summary>More busy threads than cores would only take turns on them, and switch: decoding and warping get one per core at most; reading may wait on a disk, and gets what it asks.</summary>
    private PipelineSettings InForce(PipelineSettings requested)
    {
        var cores = Environment.ProcessorCount;
        var settings = requested with { DecodeThreads = Math.Min(requested.DecodeThreads, cores), AugmentThreads = Math.Min(requested.AugmentThreads, cores) };
        if (settings != requested)
        {
            _log.WriteLine($"{requested.DecodeThreads} decode and {requested.AugmentThreads} augment threads asked for on {cores} cores: running {settings.DecodeThreads} and {settings.AugmentThreads}.");
        }

        return settings;
    }

    /// <summary>
    /// The cache of <paramref name="source"/>'s images for passes of <paramref name="kind"/>, made at its
    /// first pass and kept for the pipeline's life; null with <see cref="CacheMode.Off"/> or where none could be made.
    /// Called only as a pass starts, one pass at a time.
    /// </summary>
    private ImageCache? CacheFor(ImageSource source, PassKind kind)
    {
        if (!_caches.TryGetValue((source, kind), out var cache))
        {
            cache = ImageCaches.Create(Options.Cache, Options.CacheFolder, source, CacheLayout.For(kind, Options), Decoder.Version, _log);
            _caches[(source, kind)] = cache;
            if (_caches.Count == 1)
            {
                Volatile.Write(ref _cacheInForce, (int)(cache switch { MemoryImageCache => CacheMode.Memory, DiskImageCache => CacheMode.Disk, _ => CacheMode.Off }));
            }
            if (cache is not null)
            {
                _log.WriteLine($"Caching {source.Count} decoded {kind.ToString().ToLowerInvariant()} images: {cache.Description}.");
            }
        }

        return cache;
    }

    /// <summary>The running pass's queue depth for a stage, or zeros between passes.</summary>
    public (int Input, int Output) QueueDepth(string stage) => Volatile.Read(ref _activePass)?.QueueDepth(stage) ?? (0, 0);

    /// <summary>
    /// Reads every image of <paramref name="source"/> once and yields full batches (and the last
    /// partial one unless the options drop it). The caller disposes each batch when done with it;
    /// stopping early or cancelling tears the graph down and returns every buffer to the pool.
    /// A pass may start at a position of its order (a batch's <see cref="BatchBuffer.EndPosition"/>)
    /// to resume an interrupted one.
    /// </summary>
    public async IAsyncEnumerable<BatchBuffer> ReadAsync(
        ImageSource source, PassKind kind, int epoch, [EnumeratorCancellation] CancellationToken cancellationToken, int startPosition = 0)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startPosition, source.Count);
        var cache = CacheFor(source, kind);
        Pass pass = cache is not null && cache.Count == source.Count
            ? new CachedPass(this, source, kind, epoch, startPosition, cache, cancellationToken)
            : new PassGraph(this, source, kind, epoch, startPosition, cache, cancellationToken);
        if (Interlocked.CompareExchange(ref _activePass, pass, null) is not null)
        {
            await pass.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("An input pipeline runs one pass at a time.");
        }

        try
        {
            await foreach (var batch in pass.Batches.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
        }
        finally
        {
            Volatile.Write(ref _activePass, null);
            await pass.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var tracked in _tracked)
        {
            tracked.Dispose();
        }

        Pool.Dispose();
        Decoder.Dispose();
        foreach (var cache in _caches.Values)
        {
            cache?.Dispose();
        }
    }
}
