using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// A pass over images that a cache holds, every one: only the warp is left to do, a few
/// microseconds an image, so the work moves a batch at a time instead of an image at a time.
/// Since the cache knows which images are skipped, the planner lays out each batch's rows before
/// any is rendered, and workers warp straight into the batch buffer: no per-image hop, no copy.
/// <para>
/// Threading: the planner task alone rents buffers, in batch order, so a batch never waits for a
/// buffer a later one holds; the render block renders a batch per task, as many at once as the
/// augment threads in force allow (the pipeline's augment gate), and hands batches on in order. Memory: nothing beyond the batch pool.
/// </para>
/// </summary>
internal sealed class CachedPass : Pass
{
    private readonly ImageCache _cache;
    private readonly TransformBlock<BatchBuffer, BatchBuffer> _render;
    private readonly ActionBlock<BatchBuffer> _publish;

    // Batches handed to the render block and not yet published: a cancelled block drops what it
    // holds, and these go back to the pool then. Guarded by its own lock.
    private readonly HashSet<BatchBuffer> _inFlight = [];

    public CachedPass(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch, int startPosition, ImageCache cache, CancellationToken cancellationToken)
        : base(pipeline, source, kind, epoch, startPosition, cancellationToken)
    {
        _cache = cache;
        // The augment gate, not the block, bounds the renderers, since a retune changes it mid-pass; the batch pool bounds the queue.
        _render = new TransformBlock<BatchBuffer, BatchBuffer>(RenderAsync, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = DataflowBlockOptions.Unbounded,
            CancellationToken = Cancellation.Token,
            EnsureOrdered = true,
            SingleProducerConstrained = true,
        });
        _publish = new ActionBlock<BatchBuffer>(Publish, new ExecutionDataflowBlockOptions { CancellationToken = Cancellation.Token });
        _render.LinkTo(_publish, new DataflowLinkOptions { PropagateCompletion = true });
        Run = RunAsync();
    }

    protected override Task Run { get; }

    public override (int Input, int Output) QueueDepth(string stage) => stage switch
    {
        "decode" => (_render.InputCount, _render.OutputCount),
        "batch" => (_publish.InputCount, Output.Reader.Count),
        _ => (0, 0),
    };

    private async Task RunAsync()
    {
        Exception? failure = null;
        BatchBuffer? planning = null;
        try
        {
            var order = EpochOrder.Create(Source.Count, Kind, Pipeline.Options.Seed, Epoch);
            var number = 0;
            for (var position = StartPosition; position < order.Length; position++)
            {
                var index = order[position];
                _cache.TryGet(index, out var image);
                if (image.Skip != SkipReason.None)
                {
                    Pipeline.BadInput.Record(Source.Entries[index].RelativePath, image.Skip, null);
                    continue;
                }

                if (planning is null)
                {
                    planning = await Pipeline.Pool.RentAsync(Cancellation.Token).ConfigureAwait(false);
                    planning.Number = number++;
                }

                planning.Plan(LabelValue(Source.Entries[index].Label), index, position);
                if (planning.Count == planning.Capacity)
                {
                    await SendAsync(Take(ref planning)).ConfigureAwait(false);
                }
            }

            if (planning is not null && KeepsPartialBatch)
            {
                await SendAsync(Take(ref planning)).ConfigureAwait(false);
            }

            _render.Complete();
            await _publish.Completion.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e is OperationCanceledException ? null : e;
            Cancellation.Cancel();
            await Task.WhenAll(_render.Completion, _publish.Completion).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            lock (_inFlight)
            {
                foreach (var dropped in _inFlight)
                {
                    dropped.Dispose();
                }

                _inFlight.Clear();
            }
        }
        finally
        {
            planning?.Dispose();
            Output.Writer.TryComplete(failure);
        }
    }

    /// <summary>The batch being planned, which from now on the in-flight set answers for, not the planner.</summary>
    private static BatchBuffer Take(ref BatchBuffer? planning)
    {
        var batch = planning!;
        planning = null;
        return batch;
    }

    private async Task SendAsync(BatchBuffer batch)
    {
        lock (_inFlight)
        {
            _inFlight.Add(batch);
        }

        if (!await _render.SendAsync(batch, Cancellation.Token).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The render block refused a batch: the pass has failed.");
        }
    }

    private void Publish(BatchBuffer batch)
    {
        lock (_inFlight)
        {
            _inFlight.Remove(batch);
        }

        Output.Writer.TryWrite(batch);
    }

    private async Task<BatchBuffer> RenderAsync(BatchBuffer batch)
    {
        await Pipeline.AugmentGate.EnterAsync(Cancellation.Token).ConfigureAwait(false);
        try
        {
            Render(batch);
        }
        finally
        {
            Pipeline.AugmentGate.Exit();
        }

        return batch;
    }

    private void Render(BatchBuffer batch)
    {
        var started = Stopwatch.GetTimestamp();
        for (var row = 0; row < batch.Count; row++)
        {
            var rowStarted = Stopwatch.GetTimestamp();
            var index = batch.ImageIndices[row];
            _cache.TryGet(index, out var image);
            RenderTile(image, isTile: Kind == PassKind.Inference, index, batch.Image(row));
            Pipeline.AugmentStage.Record(rowStarted, 0);
        }

        Pipeline.BatchStage.Record(Stopwatch.GetTimestamp(), 0, batch.Count);
        Pipeline.Metrics?.RecordBatchAssembly(Stopwatch.GetElapsedTime(started));
    }
}
