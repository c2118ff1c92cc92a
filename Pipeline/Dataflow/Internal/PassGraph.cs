using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// The dataflow graph of a pass that decodes: a block of workers, each taking a chunk of images all
/// the way (from the cache where it holds an image, else read, decode, fit into the cache, then
/// warp), and one batcher that puts the images into batches in order.
/// <para>
/// One worker block rather than one block per step: on two cores the steps' hops and task starts
/// cost a visible share of a small image's time, and separate read and augment blocks ran more
/// busy threads than there were cores (docs/BENCHMARKS.md). The steps are still timed apart.
/// </para>
/// <para>
/// Threading: the feeder task is the only producer; a worker takes its chunk through the read,
/// decode and warp steps, each behind a <see cref="ConcurrencyGate"/> of the pipeline's, so the
/// thread counts in force (which a retune changes mid-pass) bound the busy threads, not the
/// block; the batch block runs on one thread, so the batcher's fields need no lock. A chunk
/// belongs to exactly one stage at a time. Memory: chunks circulate from a pool sized from the
/// settings in force (so posting never fails and nothing grows beyond it); batch buffers come from
/// the pipeline's pool, so a slow consumer stops the batcher, which stops the workers, which stops
/// the feeder.
/// </para>
/// </summary>
internal sealed class PassGraph : Pass
{
    private readonly ImageCache? _cache;
    private readonly Channel<ImageChunk> _idleChunks = System.Threading.Channels.Channel.CreateUnbounded<ImageChunk>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _chunksLock = new();
    private readonly HashSet<ImageChunk> _allChunks = [];
    private readonly int _tileBytes;

    // The steps as delegates made once: a method group converted per image would allocate per image.
    private readonly Action<ImageJob> _findOrRead, _decode, _augment;
    private readonly TransformBlock<ImageChunk, ImageChunk> _workers;
    private readonly ActionBlock<ImageChunk> _batch;

    // Batcher state: touched only by the batch block's single thread, then by the completion.
    private BatchBuffer? _current;
    private long _currentRented;
    private int _batchNumber;

    public PassGraph(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch, int startPosition, ImageCache? cache, CancellationToken cancellationToken)
        : base(pipeline, source, kind, epoch, startPosition, cancellationToken)
    {
        _cache = cache;
        _tileBytes = pipeline.Options.ImageSize * pipeline.Options.ImageSize * 3;
        (_findOrRead, _decode, _augment) = (FindOrRead, Decode, Augment);

        // Neither block bounds its own parallelism or queue: both change with a retune, so the gates bound the workers and
        // the chunk pool bounds the queues.
        _workers = new TransformBlock<ImageChunk, ImageChunk>(PrepareAsync, BlockOptions(DataflowBlockOptions.Unbounded));
        _batch = new ActionBlock<ImageChunk>(AddToBatch, BlockOptions(1));
        _workers.LinkTo(_batch, new DataflowLinkOptions { PropagateCompletion = true });
        Run = RunAsync();
    }

    protected override Task Run { get; }

    public override (int Input, int Output) QueueDepth(string stage) => stage switch
    {
        "decode" => (_workers.InputCount, _workers.OutputCount),
        "batch" => (_batch.InputCount, Output.Reader.Count),
        _ => (0, 0),
    };

    private ExecutionDataflowBlockOptions BlockOptions(int threads) => new()
    {
        MaxDegreeOfParallelism = threads,
        CancellationToken = Cancellation.Token,

        // Ordered, so that a seed fixes the batches' contents whatever the thread timing.
        EnsureOrdered = true,
        SingleProducerConstrained = true,
    };

    private async Task RunAsync()
    {
        Exception? failure = null;
        var feed = FeedAsync();
        try
        {
            // The batch block first: if it faults, the feeder would wait forever for jobs it never returns.
            await _batch.Completion.ConfigureAwait(false);
            await feed.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e is OperationCanceledException ? null : e;
            Cancellation.Cancel();
            await Task.WhenAll(feed, _workers.Completion, _batch.Completion)
                .ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            FlushLastBatch(complete: failure is null && !Cancellation.IsCancellationRequested);
            Output.Writer.TryComplete(failure);
        }
    }

    private async Task FeedAsync()
    {
        var order = EpochOrder.Create(Source.Count, Kind, Pipeline.Options.Seed, Epoch);
        try
        {
            for (var position = StartPosition; position < order.Length;)
            {
                var chunk = await TakeChunkAsync().ConfigureAwait(false);
                for (chunk.Count = 0; chunk.Count < ImageChunk.Capacity && position < order.Length; chunk.Count++, position++)
                {
                    var index = order[position];
                    chunk.Jobs[chunk.Count].Reset(position, index, Source.Entries[index].Label);
                }

                if (!_workers.Post(chunk))
                {
                    throw new InvalidOperationException("The worker block refused a chunk: the graph has failed.");
                }
            }
        }
        finally
        {
            _workers.Complete();
        }
    }

    /// <summary>
    /// Chunks in circulation: the workers' queues and the batcher's, <c>QueuePerThread</c> chunks each, sized
    /// from the settings in force, so a retune reaches the running pass with its next chunk.
    /// </summary>
    private int ChunkTarget => (Pipeline.Settings.Workers + 1) * Pipeline.Settings.QueuePerThread;

    /// <summary>An idle chunk; a new one while there are fewer than the target, else one the batcher gave back.</summary>
    private async ValueTask<ImageChunk> TakeChunkAsync()
    {
        lock (_chunksLock)
        {
            if (_allChunks.Count < ChunkTarget)
            {
                var chunk = new ImageChunk(_tileBytes);
                _allChunks.Add(chunk);
                return chunk;
            }
        }

        return await _idleChunks.Reader.ReadAsync(Cancellation.Token).ConfigureAwait(false);
    }

    /// <summary>A chunk the batcher is done with goes back to the feeder, or is freed when a retune shrank the target.</summary>
    private void ReturnChunk(ImageChunk chunk)
    {
        lock (_chunksLock)
        {
            if (_allChunks.Count > ChunkTarget)
            {
                _allChunks.Remove(chunk);
                chunk.Dispose();
                return;
            }
        }

        _idleChunks.Writer.TryWrite(chunk);
    }

    /// <summary>
    /// A chunk's images all the way to their tiles, one image after another (they share scratch
    /// buffers). Each step of each image waits for its gate, so the thread counts in force bound how
    /// many workers read, decode and warp at once; a gate with room costs a lock and no allocation.
    /// </summary>
    private async Task<ImageChunk> PrepareAsync(ImageChunk chunk)
    {
        var token = Cancellation.Token;
        await Pipeline.WorkerGate.EnterAsync(token).ConfigureAwait(false);
        try
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                var job = chunk.Jobs[i];
                await Step(Pipeline.ReadGate, job, _findOrRead, token).ConfigureAwait(false);
                await Step(Pipeline.DecodeGate, job, _decode, token).ConfigureAwait(false);
                await Step(Pipeline.AugmentGate, job, _augment, token).ConfigureAwait(false);
            }

            return chunk;
        }
        finally
        {
            Pipeline.WorkerGate.Exit();
        }
    }

    private static async ValueTask Step(ConcurrencyGate gate, ImageJob job, Action<ImageJob> step, CancellationToken token)
    {
        await gate.EnterAsync(token).ConfigureAwait(false);
        try
        {
            step(job);
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>An image from the cache, or its file's bytes.</summary>
    private void FindOrRead(ImageJob job)
    {
        if (_cache is not null && _cache.TryGet(job.ImageIndex, out var cached))
        {
            job.Cached = true;
            job.Pixels = cached;
            job.Skip = cached.Skip;
            return;
        }

        var started = Stopwatch.GetTimestamp();
        ImageFileReader.Read(job, Source.FullPaths[job.ImageIndex]);
        Pipeline.ReadStage.Record(started, 0);
    }

    private void Decode(ImageJob job)
    {
        if (job.Cached)
        {
            return;
        }

        if (job.Skip == SkipReason.None)
        {
            var started = Stopwatch.GetTimestamp();
            var decoded = Pipeline.Decoder.Decode(job, Pipeline.Options.ImageSize, Pipeline.Options.MaxPixels);
            if (decoded)
            {
                job.Pixels = new CachedImage(SkipReason.None, job.Decoded.Pointer, job.DecodedWidth, job.DecodedHeight);
                if (_cache?.Layout.Kind == PassKind.Training)
                {
                    FitIntoCache(job, _cache);
                }
            }

            // A refused header's claim (60000x60000) is not work done: only decoded images count their pixels.
            Pipeline.DecodeStage.Record(started, decoded ? (long)job.SourceWidth * job.SourceHeight : 0);
        }

        // A file that could not be read may be readable next time; every other verdict holds while the file is unchanged.
        if (job.Skip is not (SkipReason.None or SkipReason.Unreadable))
        {
            _cache?.Add(job.ImageIndex, job.Skip, [], 0, 0);
        }
    }

    /// <summary>Shrinks the decoded image to what the training cache keeps, keeps it, and warps from that, as later passes will.</summary>
    private static void FitIntoCache(ImageJob job, ImageCache cache)
    {
        var (width, height) = cache.Layout.StoredSize(job.DecodedWidth, job.DecodedHeight);
        if ((width, height) != (job.DecodedWidth, job.DecodedHeight))
        {
            job.Fitted.EnsureCapacity(width * height * 4);
            BilinearShrink.Resize(job.Pixels.Span(4), job.DecodedWidth, job.DecodedHeight, job.Fitted.Span(width * height * 4), width, height);
            job.Pixels = new CachedImage(SkipReason.None, job.Fitted.Pointer, width, height);
        }

        cache.Add(job.ImageIndex, SkipReason.None, job.Pixels.Span(4), width, height);
    }

    private void Augment(ImageJob job)
    {
        if (job.Skip != SkipReason.None)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        RenderTile(job.Pixels, isTile: job.Cached && Kind == PassKind.Inference, job.ImageIndex, job.Tile);
        if (Kind == PassKind.Inference && !job.Cached)
        {
            var size = Pipeline.Options.ImageSize;
            _cache?.Add(job.ImageIndex, SkipReason.None, job.Tile, size, size);
        }

        Pipeline.AugmentStage.Record(started, (long)job.SourceWidth * job.SourceHeight);
    }

    private async Task AddToBatch(ImageChunk chunk)
    {
        for (var i = 0; i < chunk.Count; i++)
        {
            await AddToBatch(chunk.Jobs[i]).ConfigureAwait(false);
        }

        ReturnChunk(chunk);
    }

    private async ValueTask AddToBatch(ImageJob job)
    {
        if (job.Skip != SkipReason.None)
        {
            Pipeline.BadInput.Record(Source.Entries[job.ImageIndex].RelativePath, job.Skip, job.SkipDetail);
            return;
        }

        _current ??= await RentBatchAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        _current.Append(job.Tile, LabelValue(job.Label), job.ImageIndex, job.Position);
        Pipeline.BatchStage.Record(started, (long)job.SourceWidth * job.SourceHeight);
        if (_current.Count == _current.Capacity)
        {
            Pipeline.Metrics?.RecordBatchAssembly(Stopwatch.GetElapsedTime(_currentRented));
            Output.Writer.TryWrite(_current);
            _current = null;
        }
    }

    private async ValueTask<BatchBuffer> RentBatchAsync()
    {
        var buffer = await Pipeline.Pool.RentAsync(Cancellation.Token).ConfigureAwait(false);
        buffer.Number = _batchNumber++;
        _currentRented = Stopwatch.GetTimestamp();
        return buffer;
    }

    private void FlushLastBatch(bool complete)
    {
        var last = _current;
        _current = null;
        if (last is null)
        {
            return;
        }

        if (complete && KeepsPartialBatch)
        {
            Output.Writer.TryWrite(last);
        }
        else
        {
            last.Dispose();
        }
    }

    protected override void Release()
    {
        lock (_chunksLock)
        {
            foreach (var chunk in _allChunks)
            {
                chunk.Dispose();
            }

            _allChunks.Clear();
        }
    }
}
