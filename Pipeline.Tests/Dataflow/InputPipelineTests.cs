using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Dataflow;

public sealed class InputPipelineTests : IClassFixture<InputPipelineTests.Files>
{
    private readonly PipelineHarness _files;

    public InputPipelineTests(Files files) => _files = files.Harness;

    public sealed class Files : IDisposable
    {
        internal PipelineHarness Harness { get; } = new(40);

        public void Dispose() => Harness.Dispose();
    }

    /// <summary>
    /// A pipeline over <paramref name="source"/>; when <paramref name="cached"/>, with a memory cache that one
    /// pass has filled, so that the passes under test run over the complete cache, a batch at a time.
    /// </summary>
    private static async Task<InputPipeline> Open(InputPipelineOptions options, bool cached, ImageSource source, PassKind kind)
    {
        var pipeline = PipelineHarness.Pipeline(options with { Cache = cached ? CacheMode.Memory : CacheMode.Off });
        if (cached)
        {
            await PipelineHarness.RowsOfEachBatch(pipeline, source, kind, epoch: 0);
        }

        return pipeline;
    }

    [Fact]
    public async Task Every_block_reports_both_queue_depths_while_a_pass_runs()
    {
        var options = new InputPipelineOptions { DecodeThreads = 2, BatchSize = 8, ImageSize = 16, Prefetch = 3, QueuePerThread = 2 };
        using var pipeline = PipelineHarness.Pipeline(options);
        // What the settings in force bound. Chunks of images circulate from a pool of QueuePerThread per worker and as
        // many for the batcher, and a chunk is in one place at a time: no queue of the workers or the batcher holds more.
        // Batch buffers number Prefetch + the one being filled + ConsumerHeld. This consumer holds one, and while the
        // batcher waits for a buffer it fills none, so all the others may be finished batches waiting: the pool, not
        // Prefetch alone, bounds that queue.
        var settings = pipeline.Settings;
        var chunks = (settings.Workers + 1) * settings.QueuePerThread;
        var buffers = settings.Prefetch + 1 + options.ConsumerHeld;
        var finished = buffers - 1;
        var sawBatchesWaiting = false;
        await foreach (var batch in pipeline.ReadAsync(_files.Repeated(160), PassKind.Training, 0, CancellationToken.None))
        {
            using (batch)
            {
                // Holding the first batch until finished ones wait behind it (at most a minute, against a hang): a consumer
                // that slow must see the output queue rise, however long the producers take on a busy machine.
                var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
                while (!sawBatchesWaiting && pipeline.QueueDepth("batch").Output == 0 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(5);
                }

                var (decodeInput, decodeOutput) = pipeline.QueueDepth("decode");
                var (batchInput, batchOutput) = pipeline.QueueDepth("batch");
                Assert.InRange(decodeInput, 0, chunks);
                Assert.InRange(decodeOutput, 0, chunks);
                Assert.InRange(batchInput, 0, chunks);
                Assert.InRange(batchOutput, 0, finished);
                // The other stages run inside the workers' block and have no queue of their own.
                Assert.All(pipeline.Stages.Except(pipeline.QueuedStages), stage => Assert.Equal((0, 0), pipeline.QueueDepth(stage.Name)));
                sawBatchesWaiting |= batchOutput > 0;
            }
        }

        Assert.True(sawBatchesWaiting, "the batch block's output depth never rose above 0 behind a slow consumer");
        Assert.Equal((0, 0), pipeline.QueueDepth("batch"));
    }

    [Theory]
    [CombinatorialLikeData]
    public async Task Every_image_arrives_exactly_once_in_full_batches_then_a_partial_one(int threads, int queuePerThread, int batchSize, bool training, bool cached)
    {
        var kind = training ? PassKind.Training : PassKind.Inference;
        var options = new InputPipelineOptions { DecodeThreads = threads, QueuePerThread = queuePerThread, BatchSize = batchSize, ImageSize = 16, Prefetch = 2 };
        var source = _files.Repeated(301);
        using var pipeline = await Open(options, cached, source, kind);

        var batches = await PipelineHarness.RowsOfEachBatch(pipeline, source, kind, epoch: 1);

        Assert.Equal((301 + batchSize - 1) / batchSize, batches.Count);
        Assert.All(batches.SkipLast(1), b => Assert.Equal(batchSize, b.Length));
        Assert.Equal(301 - (batches.Count - 1) * batchSize, batches[^1].Length);
        var rows = batches.SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 301), rows.Order());
        if (kind == PassKind.Inference)
        {
            Assert.Equal(Enumerable.Range(0, 301), rows);
        }

        Assert.Equal(0, pipeline.Pool.InUse);
        // Each image decoded once in all: by this pass, or by the pass that filled the cache and none since.
        Assert.Equal(301, pipeline.DecodeStage.Images);
    }

    /// <summary>Parallelism x capacity x batch size x pass kind x a complete cache, the combinations that change the graph's timing.</summary>
    private sealed class CombinatorialLikeDataAttribute : Xunit.Sdk.DataAttribute
    {
        public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) =>
            from threads in new[] { 1, 3 }
            from queue in new[] { 1, 4 }
            from batch in new[] { 7, 64 }
            from training in new[] { true, false }
            from cached in new[] { false, true }
            select new object[] { threads, queue, batch, training, cached };
    }

    [Fact]
    public async Task Same_seed_gives_the_same_order_and_another_epoch_another()
    {
        var options = new InputPipelineOptions { DecodeThreads = 3, BatchSize = 10, ImageSize = 16, Seed = 9 };
        using var first = PipelineHarness.Pipeline(options);
        using var second = PipelineHarness.Pipeline(options);
        var source = _files.Repeated(120);

        var epoch2 = await PipelineHarness.RowsOfEachBatch(first, source, PassKind.Training, 2);
        var epoch2Again = await PipelineHarness.RowsOfEachBatch(second, source, PassKind.Training, 2);
        var epoch3 = await PipelineHarness.RowsOfEachBatch(first, source, PassKind.Training, 3);

        Assert.Equal(epoch2.SelectMany(b => b), epoch2Again.SelectMany(b => b));
        Assert.NotEqual(epoch2.SelectMany(b => b), epoch3.SelectMany(b => b));
        Assert.NotEqual(Enumerable.Range(0, 120), epoch2.SelectMany(b => b));
    }

    [Fact]
    public async Task Same_seed_gives_the_same_pixels_whatever_the_thread_timing()
    {
        async Task<byte[]> Pixels(int threads)
        {
            using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { DecodeThreads = threads, BatchSize = 16, ImageSize = 24, Seed = 4 });
            var bytes = new List<byte>();
            await foreach (var batch in pipeline.ReadAsync(_files.Repeated(48), PassKind.Training, 1, CancellationToken.None))
            {
                using (batch)
                {
                    bytes.AddRange(batch.View.PixelSpan.ToArray());
                    bytes.AddRange(System.Runtime.InteropServices.MemoryMarshal.AsBytes(batch.View.LabelSpan).ToArray());
                }
            }

            return [.. bytes];
        }

        Assert.Equal(await Pixels(1), await Pixels(3));
    }

    [Fact]
    public async Task Rows_hold_the_image_and_label_they_claim_in_the_documented_layout()
    {
        // At 128 pixels no file is large enough for a scaled decode, so a full decode is the reference.
        const int side = 128;
        using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { DecodeThreads = 2, BatchSize = 8, ImageSize = side });
        var source = _files.Repeated(_files.Index.Entries.Count);

        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Inference, 0, CancellationToken.None))
        {
            using (batch)
            {
                for (var row = 0; row < batch.Count; row++)
                {
                    var entry = source.Entries[batch.ImageIndices[row]];
                    Assert.Equal(entry.Label == Pipeline.Data.ImageLabel.Dog ? 1f : 0f, batch.View.LabelSpan[row]);

                    using var decoded = Images.DecodeRgba(File.ReadAllBytes(source.FullPaths[batch.ImageIndices[row]]));
                    var expected = new byte[side * side * 3];
                    AffineWarp.Render(decoded.GetPixelSpan(), decoded.Width, decoded.Height, FitMode.Stretch, AffineParameters.Identity, expected, side);
                    Assert.Equal(expected, batch.View.PixelSpan.Slice(row * expected.Length, expected.Length).ToArray());
                }
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Pass_resumed_after_a_batch_makes_the_batches_an_unbroken_pass_would(bool cached)
    {
        var options = new InputPipelineOptions { DecodeThreads = 2, BatchSize = 10, ImageSize = 16, Seed = 3 };
        var source = _files.Repeated(95);
        using var pipeline = await Open(options, cached, source, PassKind.Training);
        var whole = await PipelineHarness.RowsOfEachBatch(pipeline, source, PassKind.Training, 5);
        int resumeAt;
        await using (var batches = pipeline.ReadAsync(source, PassKind.Training, 5, CancellationToken.None).GetAsyncEnumerator())
        {
            Assert.True(await batches.MoveNextAsync());
            Assert.True(await batches.MoveNextAsync());
            resumeAt = batches.Current.EndPosition;
            batches.Current.Dispose();
        }

        var rest = new List<int[]>();
        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 5, CancellationToken.None, resumeAt))
        {
            using (batch)
            {
                rest.Add(batch.ImageIndices[..batch.Count]);
            }
        }

        Assert.Equal(20, resumeAt);
        Assert.Equal(whole.Skip(2), rest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Partial_last_batch_is_dropped_when_asked(bool cached)
    {
        var source = _files.Repeated(40);
        using var pipeline = await Open(new InputPipelineOptions { BatchSize = 16, ImageSize = 16, DropLastPartial = true }, cached, source, PassKind.Training);

        var batches = await PipelineHarness.RowsOfEachBatch(pipeline, source, PassKind.Training, 1);

        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(16, b.Length));
        Assert.Equal(0, pipeline.Pool.InUse);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Drop_last_leaves_validation_and_prediction_passes_whole(bool cached)
    {
        var source = _files.Repeated(40);
        using var pipeline = await Open(new InputPipelineOptions { BatchSize = 16, ImageSize = 16, DropLastPartial = true }, cached, source, PassKind.Inference);

        var batches = await PipelineHarness.RowsOfEachBatch(pipeline, source, PassKind.Inference, 0);

        Assert.Equal([16, 16, 8], batches.Select(b => b.Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Thousands_of_images_never_hold_more_than_the_pool(bool cached)
    {
        var options = new InputPipelineOptions { DecodeThreads = 2, BatchSize = 32, ImageSize = 16, Prefetch = 2, ConsumerHeld = 1 };
        var source = _files.Repeated(4000);
        using var pipeline = await Open(options, cached, source, PassKind.Training);
        var buffers = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var mostInUse = 0;
        var images = 0;

        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 1, CancellationToken.None))
        {
            using (batch)
            {
                buffers.Add(batch);
                mostInUse = Math.Max(mostInUse, pipeline.Pool.InUse);
                images += batch.Count;

                // A consumer slower than the graph, so that the graph has to wait for buffers.
                if (batch.Number % 10 == 0)
                {
                    await Task.Delay(2);
                }
            }
        }

        Assert.Equal(4000, images);
        Assert.Equal(options.PoolSize, pipeline.Pool.Count);
        Assert.InRange(buffers.Count, 1, options.PoolSize);
        Assert.InRange(mostInUse, 1, options.PoolSize);
        Assert.Equal(0, pipeline.Pool.InUse);
    }

    [Theory]
    [InlineData(false, 50_000)]
    [InlineData(true, 2_000)]
    public async Task Cancelling_tears_the_graph_down_where_it_stands_and_returns_every_buffer(bool cached, int images)
    {
        var options = new InputPipelineOptions { DecodeThreads = 2, BatchSize = 16, ImageSize = 64, Prefetch = 3 };
        var source = _files.Repeated(images);
        using var pipeline = await Open(options, cached, source, PassKind.Training);
        using var cancellation = new CancellationTokenSource();
        var batchedBefore = pipeline.BatchStage.Images;
        var batches = 0;

        var reading = Record.ExceptionAsync(async () =>
        {
            await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 1, cancellation.Token))
            {
                using (batch)
                {
                    if (++batches == 3)
                    {
                        // Cancelled once the graph is full, as a Ctrl+C mid-epoch would find it: every buffer handed out, the batcher waiting for one.
                        while (pipeline.Pool.InUse < pipeline.Pool.Count)
                        {
                            await Task.Delay(10);
                        }

                        cancellation.Cancel();
                    }
                }
            }
        });
        // A guard against a teardown that hangs, not a measure of how fast it is.
        var error = await reading.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        // Torn down, not drained: the batches it held and a few more, of the thousands the pass had left.
        Assert.InRange(pipeline.BatchStage.Images - batchedBefore, 3 * options.BatchSize, images / 10);
        Assert.Equal(0, pipeline.Pool.InUse);
        Assert.Equal(pipeline.Pool.Count, pipeline.Pool.Free);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Stopping_early_returns_every_buffer(bool cached)
    {
        var source = _files.Repeated(5000);
        using var pipeline = await Open(new InputPipelineOptions { BatchSize = 8, ImageSize = 16 }, cached, source, PassKind.Training);

        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 1, CancellationToken.None))
        {
            batch.Dispose();
            break;
        }

        Assert.Equal(0, pipeline.Pool.InUse);
    }
}
