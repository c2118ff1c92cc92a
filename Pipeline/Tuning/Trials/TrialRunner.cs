using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Native;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>How long a trial runs: at least this long and this many steps of warm-up, then of measurement.</summary>
internal sealed record TrialLength(TimeSpan Warmup, int WarmupSteps, TimeSpan Measure, int MeasureSteps)
{
    /// <summary>
    /// A second of warm-up (the first steps compile, allocate and, on a GPU, search convolution algorithms) and
    /// three measured seconds: long enough that a trial sees many batches and the pipeline's steady state, short
    /// enough that a budget of minutes holds a few dozen trials.
    /// </summary>
    public static TrialLength Default { get; } = new(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(3), 3);

    /// <summary>Just the steps: enough to show that a batch fits in device memory with its workspace, where its speed decides nothing.</summary>
    public static TrialLength Fit { get; } = new(TimeSpan.Zero, 2, TimeSpan.Zero, 3);
}

/// <summary>
/// Runs the trials of `catsdogs tune`: each on a fresh input pipeline with the trial's settings and a fresh network,
/// real training steps on the real batches of the data set, each step waiting for its batch as <see cref="Trainer"/>'s
/// do. A trial with a cache first reads one pass without training, which fills it, so that the steps measure the passes
/// that follow. Owns the device; a batch that runs out of device memory leaves it for a fresh one.
/// </summary>
internal sealed class TrialRunner(Func<ComputeDevice> open, ModelSpec spec, ImageSource source, InputPipelineOptions input) : IDisposable
{
    private static readonly TrainOptions TrainDefaults = new();

    private ComputeDevice _device = open();

    public ComputeDevice Device => _device;

    /// <summary>The decoder the last trial's pipeline used.</summary>
    public string? DecoderName { get; private set; }

    /// <summary>The trial's figures, or null where the batch did not fit in device memory.</summary>
    public async Task<TrialFigures?> RunAsync(TrialSettings settings, TrialLength length, CancellationToken cancellationToken)
    {
        try
        {
            return await MeasureAsync(settings, length, cancellationToken);
        }
        catch (GpuLibraryException e) when (e.IsOutOfMemory)
        {
            // The failed step may have grown the backend's workspace and staging buffers for the batch that did not
            // fit; a fresh device starts the next trial as train would start.
            _device.Dispose();
            _device = open();
            return null;
        }
    }

    public void Dispose() => _device.Dispose();

    private async Task<TrialFigures> MeasureAsync(TrialSettings settings, TrialLength length, CancellationToken cancellationToken)
    {
        var options = settings.ApplyTo(input);
        using var pipeline = new InputPipeline(options, _device.HostAllocator, TextWriter.Null);
        DecoderName = pipeline.Decoder.Name;
        // The steps train's defaults take: SGD with momentum and weight decay, at the default rate.
        using var network = Network.Create(spec, options.ImageSize, options.ImageSize, _device, new NetworkOptions
        {
            Seed = (ulong)TrainDefaults.Seed, Optimizer = TrainDefaults.ToOptimizerConfig(), LearningRate = TrainDefaults.LearningRate,
        });

        var fill = Stopwatch.StartNew();
        if (settings.Cache != CacheMode.Off)
        {
            await foreach (var batch in pipeline.ReadAsync(source, PassKind.Training, 0, cancellationToken))
            {
                batch.Dispose();
            }
        }

        fill.Stop();
        var steps = await StepAsync(pipeline, network, length, cancellationToken);
        var measured = steps.Measured.TotalSeconds;
        var inputMicroseconds = pipeline.Stages.Where(stage => stage != pipeline.BatchStage).Sum(stage => stage.Figures.MicrosecondsPerImage);
        return new TrialFigures(steps.Images / measured, steps.Waited.TotalSeconds / measured, steps.Cpu.TotalSeconds / measured, measured / steps.Count,
            fill.Elapsed.TotalSeconds, steps.Warmup.TotalSeconds, measured, inputMicroseconds);
    }

    private sealed record Steps(int Count, long Images, TimeSpan Warmup, TimeSpan Measured, TimeSpan Waited, TimeSpan Cpu);

    /// <summary>
    /// Warm-up steps, then measured ones, over as many passes as that takes (a new pass starts its graph as a new epoch
    /// does). The device finishes the queued work at each end, so that a GPU's steps count in full.
    /// </summary>
    private async Task<Steps> StepAsync(InputPipeline pipeline, Network network, TrialLength length, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var (count, images, waited) = (0, 0L, TimeSpan.Zero);
        TimeSpan? warmup = null;
        var cpuBefore = ProcessUsage.Now();
        for (var epoch = 1; ; epoch++)
        {
            var batches = pipeline.ReadAsync(source, PassKind.Training, epoch, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var held = new HeldBatch(network);
            var yielded = false;
            try
            {
                while (true)
                {
                    var waitStarted = Stopwatch.GetTimestamp();
                    if (!await batches.MoveNextAsync())
                    {
                        break;
                    }

                    waited += Stopwatch.GetElapsedTime(waitStarted);
                    yielded = true;
                    var batch = batches.Current;
                    try
                    {
                        network.TrainStep(batch.View);
                    }
                    finally
                    {
                        held.Replace(batch);
                    }

                    images += batch.Count;
                    if (++count % TrainDefaults.LogEvery == 0)
                    {
                        network.TakeTrainingStatistics();
                    }

                    if (warmup is null && clock.Elapsed >= length.Warmup && count >= length.WarmupSteps)
                    {
                        network.TakeTrainingStatistics();
                        warmup = clock.Elapsed;
                        clock.Restart();
                        (count, images, waited, cpuBefore) = (0, 0L, TimeSpan.Zero, ProcessUsage.Now());
                    }
                    else if (warmup is { } warm && clock.Elapsed >= length.Measure && count >= length.MeasureSteps)
                    {
                        network.TakeTrainingStatistics();
                        return new Steps(count, images, warm, clock.Elapsed, waited, (ProcessUsage.Now() - cpuBefore).Cpu);
                    }
                }
            }
            finally
            {
                held.Dispose();
                await batches.DisposeAsync();
            }

            // A pass that yielded nothing would be followed by another just like it, for ever.
            if (!yielded)
            {
                throw new DatasetException($"No image of '{source.Root}' could be read ({pipeline.BadInput.Summary()}).");
            }
        }
    }
}
