using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// The dataflow graph of one pass over a set of images: read, decode, augment, batch.
/// <para>
/// Threading: the feeder task is the only producer; each block runs its delegate on up to its
/// parallelism of pool threads; the batch block runs on one, so the batcher's fields need no
/// lock. A job belongs to exactly one stage at a time. Memory: jobs come from a pool whose size
/// is the sum of the blocks' bounded capacities, so posting never fails and nothing grows; batch
/// buffers come from the pipeline's fixed pool, so a slow consumer stops the batcher, which
/// stops the blocks, which stops the feeder.
/// </para>
/// </summary>
internal sealed class PassGraph : IAsyncDisposable
{
    private readonly InputPipeline _pipeline;
    private readonly ImageSource _source;
    private readonly PassKind _kind;
    private readonly int _epoch;
    private readonly int _startPosition;
    private readonly ImageCache? _cache;
    private readonly CancellationTokenSource _cancellation;
    private readonly Channel<ImageJob> _idleJobs;
    private readonly List<ImageJob> _allJobs = [];
    // Not SingleReader: that channel cannot count its items, and the batch block's output depth is exported.
    private readonly Channel<BatchBuffer> _output = Channel.CreateUnbounded<BatchBuffer>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    private readonly TransformBlock<ImageJob, ImageJob> _read;
    private readonly TransformBlock<ImageJob, ImageJob> _decode;
    private readonly TransformBlock<ImageJob, ImageJob> _augment;
    private readonly ActionBlock<ImageJob> _batch;
    private readonly Task _run;

    // Batcher state: touched only by the batch block's single thread, then by the completion.
    private BatchBuffer? _current;
    private long _currentRented;
    private int _batchNumber;

    public PassGraph(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch, int startPosition, CancellationToken cancellationToken)
    {
        _pipeline = pipeline;
        _source = source;
        _kind = kind;
        _epoch = epoch;
        _startPosition = startPosition;
        _cache = pipeline.CacheFor(source, kind);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var options = pipeline.Options;

        // Jobs: what the downstream blocks can hold, plus the read block's own share. The read block
        // may hold all of them, so that the feeder's posts nearly always fit without waiting.
        var jobCount = new[] { options.ReadThreads, options.DecodeThreads, options.EffectiveAugmentThreads, 1 }
            .Sum(threads => threads * options.QueuePerThread);
        _read = new TransformBlock<ImageJob, ImageJob>(Read, BlockOptions(options.ReadThreads, jobCount));
        _decode = new TransformBlock<ImageJob, ImageJob>(Decode, BlockOptions(options.DecodeThreads));
        _augment = new TransformBlock<ImageJob, ImageJob>(Augment, BlockOptions(options.EffectiveAugmentThreads));
        _batch = new ActionBlock<ImageJob>(AddToBatch, BlockOptions(1));
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        _read.LinkTo(_decode, link);
        _decode.LinkTo(_augment, link);
        _augment.LinkTo(_batch, link);

        _idleJobs = Channel.CreateBounded<ImageJob>(new BoundedChannelOptions(jobCount) { SingleReader = true });
        var tileBytes = options.ImageSize * options.ImageSize * 3;
        for (var i = 0; i < jobCount; i++)
        {
            var job = new ImageJob(tileBytes);
            _allJobs.Add(job);
            _idleJobs.Writer.TryWrite(job);
        }

        _run = RunAsync();
    }

    public ChannelReader<BatchBuffer> Batches => _output.Reader;

    /// <summary>Images waiting in, and finished in, each block: the queue depths a user tunes against.</summary>
    public (int Input, int Output) QueueDepth(string stage) => stage switch
    {
        "read" => (_read.InputCount, _read.OutputCount),
        "decode" => (_decode.InputCount, _decode.OutputCount),
        "augment" => (_augment.InputCount, _augment.OutputCount),
        "batch" => (_batch.InputCount, _output.Reader.Count),
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "Stages are read, decode, augment and batch."),
    };

    private ExecutionDataflowBlockOptions BlockOptions(int threads, int? capacity = null) => new()
    {
        MaxDegreeOfParallelism = threads,
        BoundedCapacity = capacity ?? threads * _pipeline.Options.QueuePerThread,
        CancellationToken = _cancellation.Token,

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
            _cancellation.Cancel();
            await Task.WhenAll(feed, _read.Completion, _decode.Completion, _augment.Completion, _batch.Completion)
                .ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        finally
        {
            FlushLastBatch(complete: failure is null && !_cancellation.IsCancellationRequested);
            _output.Writer.TryComplete(failure);
        }
    }

    private async Task FeedAsync()
    {
        var order = EpochOrder.Create(_source.Count, _kind, _pipeline.Options.Seed, _epoch);
        try
        {
            for (var position = _startPosition; position < order.Length; position++)
            {
                var job = await _idleJobs.Reader.ReadAsync(_cancellation.Token).ConfigureAwait(false);
                var index = order[position];
                job.Reset(position, index, _source.Entries[index].Label);
                // The read block can hold every job, but a block's count drops a moment after the job
                // leaves it, so a post can still be refused now and then: then wait for room.
                if (!_read.Post(job) && !await _read.SendAsync(job, _cancellation.Token).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("The read block refused a job: the graph has failed.");
                }
            }
        }
        finally
        {
            _read.Complete();
        }
    }

    /// <summary>A cached image skips the file and its decoding; everything else is read from disk.</summary>
    private ImageJob Read(ImageJob job)
    {
        if (_cache is not null && _cache.TryGet(job.ImageIndex, out var cached))
        {
            job.Cached = true;
            job.Pixels = cached;
            job.Skip = cached.Skip;
            return job;
        }

        var started = Stopwatch.GetTimestamp();
        ImageFileReader.Read(job, _source.FullPaths[job.ImageIndex]);
        _pipeline.ReadStage.Record(started, 0);
        return job;
    }

    private ImageJob Decode(ImageJob job)
    {
        if (job.Cached)
        {
            return job;
        }

        if (job.Skip == SkipReason.None)
        {
            var started = Stopwatch.GetTimestamp();
            var decoded = _pipeline.Decoder.Decode(job, _pipeline.Options.ImageSize, _pipeline.Options.MaxPixels);
            if (decoded)
            {
                job.Pixels = new CachedImage(SkipReason.None, job.Decoded.Pointer, job.DecodedWidth, job.DecodedHeight);
                if (_cache?.Layout.Kind == PassKind.Training)
                {
                    FitIntoCache(job, _cache);
                }
            }

            // A refused header's claim (60000x60000) is not work done: only decoded images count their pixels.
            _pipeline.DecodeStage.Record(started, decoded ? (long)job.SourceWidth * job.SourceHeight : 0);
        }

        // A file that could not be read may be readable next time; every other verdict holds while the file is unchanged.
        if (job.Skip is not (SkipReason.None or SkipReason.Unreadable))
        {
            _cache?.Add(job.ImageIndex, job.Skip, [], 0, 0);
        }

        return job;
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

    private ImageJob Augment(ImageJob job)
    {
        if (job.Skip == SkipReason.None)
        {
            var started = Stopwatch.GetTimestamp();
            var options = _pipeline.Options;
            if (job.Cached && _kind == PassKind.Inference)
            {
                job.Pixels.Span(3).CopyTo(job.Tile);
            }
            else
            {
                var parameters = _kind == PassKind.Training
                    ? AffineParameters.Draw(options.Augment, (ulong)(uint)options.Seed, _epoch, job.ImageIndex)
                    : AffineParameters.Identity;
                AffineWarp.Render(job.Pixels.Span(4), job.Pixels.Width, job.Pixels.Height, options.Fit, parameters, job.Tile, options.ImageSize);
                if (_kind == PassKind.Inference && !job.Cached)
                {
                    _cache?.Add(job.ImageIndex, SkipReason.None, job.Tile, options.ImageSize, options.ImageSize);
                }
            }

            _pipeline.AugmentStage.Record(started, (long)job.SourceWidth * job.SourceHeight);
        }

        return job;
    }

    private async Task AddToBatch(ImageJob job)
    {
        if (job.Skip != SkipReason.None)
        {
            _pipeline.BadInput.Record(_source.Entries[job.ImageIndex].RelativePath, job.Skip, job.SkipDetail);
        }
        else
        {
            _current ??= await RentBatchAsync().ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            _current.Append(job.Tile, LabelValue(job.Label), job.ImageIndex, job.Position);
            _pipeline.BatchStage.Record(started, (long)job.SourceWidth * job.SourceHeight);
            if (_current.Count == _current.Capacity)
            {
                _pipeline.Metrics?.RecordBatchAssembly(Stopwatch.GetElapsedTime(_currentRented));
                _output.Writer.TryWrite(_current);
                _current = null;
            }
        }

        _idleJobs.Writer.TryWrite(job);
    }

    private async ValueTask<BatchBuffer> RentBatchAsync()
    {
        var buffer = await _pipeline.Pool.RentAsync(_cancellation.Token).ConfigureAwait(false);
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

        if (complete && !(_pipeline.Options.DropLastPartial && _kind == PassKind.Training))
        {
            _output.Writer.TryWrite(last);
        }
        else
        {
            last.Dispose();
        }
    }

    private static float LabelValue(ImageLabel label) => label switch
    {
        ImageLabel.Cat => 0f,
        ImageLabel.Dog => 1f,
        _ => float.NaN,
    };

    public async ValueTask DisposeAsync()
    {
        _cancellation.Cancel();
        await _run.ConfigureAwait(false);
        while (_output.Reader.TryRead(out var unread))
        {
            unread.Dispose();
        }

        foreach (var job in _allJobs)
        {
            job.Dispose();
        }

        _cancellation.Dispose();
    }
}
