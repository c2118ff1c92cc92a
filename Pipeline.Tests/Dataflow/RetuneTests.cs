using System.Security.Cryptography;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Tests.Dataflow;

/// <summary>
/// A retune in the middle of a pass: it takes effect at once, and the batches are the ones an
/// untouched pass makes, byte for byte and in order, so a seed still fixes a run.
/// </summary>
public sealed class RetuneTests : IClassFixture<RetuneTests.Files>
{
    private static readonly InputPipelineOptions Options = new() { DecodeThreads = 2, QueuePerThread = 2, Prefetch = 3, BatchSize = 6, ImageSize = 16, Seed = 5 };

    private readonly PipelineHarness _files;

    public RetuneTests(Files files) => _files = files.Harness;

    public sealed class Files : IDisposable
    {
        internal PipelineHarness Harness { get; } = new(30);

        public void Dispose() => Harness.Dispose();
    }

    /// <summary>Retunes before batch 2 (to fewer of everything), before batch 6 (to more) and before batch 10 (read and augment apart from decode).</summary>
    private static readonly Dictionary<int, PipelineSettings> Retunes = new()
    {
        [2] = new PipelineSettings(DecodeThreads: 1, ReadThreads: 1, AugmentThreads: 1, Prefetch: 1, QueuePerThread: 1),
        [6] = new PipelineSettings(DecodeThreads: 2, ReadThreads: 4, AugmentThreads: 2, Prefetch: 7, QueuePerThread: 5),
        [10] = new PipelineSettings(DecodeThreads: 1, ReadThreads: 3, AugmentThreads: 2, Prefetch: 2, QueuePerThread: 1),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_pass_retuned_three_times_gives_the_untouched_pass_batches(bool cached)
    {
        var source = _files.Repeated(97);
        using var untouched = await Open(cached, source);
        using var retuned = await Open(cached, source);

        var expected = await Batches(untouched, source, retunes: new Dictionary<int, PipelineSettings>());
        var actual = await Batches(retuned, source, Retunes);

        Assert.Equal(17, expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_retune_is_in_force_at_once_and_the_batch_pool_follows_the_prefetch()
    {
        var source = _files.Repeated(97);
        using var pipeline = PipelineHarness.Pipeline(Options);
        Assert.Equal(Options.PoolSizeFor(3), pipeline.Pool.Count);
        var seen = new List<(PipelineSettings Settings, int PoolSize)>();
        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 1, CancellationToken.None))
        {
            using (batch)
            {
                if (Retunes.TryGetValue(batch.Number, out var settings))
                {
                    Assert.Equal(settings, pipeline.Retune(settings));
                    Assert.Equal(settings, pipeline.Settings);
                    Assert.Equal(settings.Workers, pipeline.WorkerGate.Limit);
                    Assert.Equal((settings.ReadThreads, settings.DecodeThreads, settings.AugmentThreads), (pipeline.ReadGate.Limit, pipeline.DecodeGate.Limit, pipeline.AugmentGate.Limit));
                    Assert.Equal(settings.DecodeThreads, pipeline.DecodeStage.Parallelism);
                }

                seen.Add((pipeline.Settings, pipeline.Pool.Count));
            }
        }

        // A shrinking pool frees its surplus as buffers come back: by the next batch it is the new size, never below it.
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.InRange(seen[i].PoolSize, Options.PoolSizeFor(seen[i].Settings.Prefetch), Math.Max(seen[i - 1].PoolSize, Options.PoolSizeFor(seen[i].Settings.Prefetch)));
        }

        Assert.Equal(Options.PoolSizeFor(Retunes[10].Prefetch), pipeline.Pool.Count);
        Assert.Equal(0, pipeline.Pool.InUse);
    }

    [Fact]
    public void More_decode_or_augment_threads_than_cores_run_one_per_core_and_say_so()
    {
        var log = new StringWriter();
        using var pipeline = PipelineHarness.Pipeline(Options, log);
        var cores = Environment.ProcessorCount;

        var inForce = pipeline.Retune(new PipelineSettings(cores + 3, cores + 5, cores + 1, 2, 2));

        Assert.Equal(new PipelineSettings(cores, cores + 5, cores, 2, 2), inForce);
        Assert.Contains($"{cores + 3} decode and {cores + 1} augment threads asked for on {cores} cores: running {cores} and {cores}.", log.ToString());
    }

    private async Task<InputPipeline> Open(bool cached, ImageSource source)
    {
        var pipeline = PipelineHarness.Pipeline(Options with { Cache = cached ? CacheMode.Memory : CacheMode.Off });
        if (cached)
        {
            await PipelineHarness.RowsOfEachBatch(pipeline, source, PassKind.Training, epoch: 0);
        }

        return pipeline;
    }

    /// <summary>Each batch of a training pass as its rows' image indices, labels and a hash of its pixels, retuning where asked as the batch arrives.</summary>
    private static async Task<List<string>> Batches(InputPipeline pipeline, ImageSource source, IReadOnlyDictionary<int, PipelineSettings> retunes)
    {
        var batches = new List<string>();
        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 1, CancellationToken.None))
        {
            using (batch)
            {
                if (retunes.TryGetValue(batch.Number, out var settings))
                {
                    pipeline.Retune(settings);
                }

                var pixels = new byte[batch.Count * batch.ImageBytes];
                for (var row = 0; row < batch.Count; row++)
                {
                    batch.Image(row).CopyTo(pixels.AsSpan(row * batch.ImageBytes));
                }

                batches.Add($"{string.Join(',', batch.ImageIndices[..batch.Count])} | {string.Join(',', batch.Labels[..batch.Count].ToArray())} | {Convert.ToHexString(SHA256.HashData(pixels))}");
            }
        }

        return batches;
    }
}
