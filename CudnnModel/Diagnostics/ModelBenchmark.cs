using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Diagnostics;

/// <summary>Training throughput of one model on one device.</summary>
public sealed record ModelBenchmarkResult(int Steps, int BatchSize, double Seconds, double FlopsPerStep)
{
    public double ImagesPerSecond => Steps * BatchSize / Seconds;

    public double TeraflopsPerSecond => Steps * FlopsPerStep / Seconds / 1e12;
}

/// <summary>
/// Times full training steps (upload from the device's host memory, forward, loss, backward,
/// SGD) on generated batches. Warm-up steps run first, so that algorithm searches and memory
/// growth are not timed; the clock stops after a statistics read, which waits for the device.
/// A step counts as 3 forward passes of FLOPs (forward, data and weight gradients), the usual convention.
/// </summary>
public static class ModelBenchmark
{
    public static ModelBenchmarkResult Run(ComputeDevice device, ModelSpec spec, int imageSize, int batchSize, int warmupSteps, int steps)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        const int DistinctBatches = 4;
        using var images = new StripeImages(batchSize * DistinctBatches, imageSize, seed: 1, device.HostAllocator);
        using var network = Network.Create(spec, imageSize, imageSize, device, new NetworkOptions { Seed = 1, Optimizer = new SgdConfig() });
        for (var step = 0; step < warmupSteps; step++)
        {
            network.TrainStep(images.Batch(step % DistinctBatches * batchSize, batchSize));
        }

        network.TakeTrainingStatistics();
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            network.TrainStep(images.Batch(step % DistinctBatches * batchSize, batchSize));
        }

        network.TakeTrainingStatistics();
        clock.Stop();
        network.WaitForUploads();
        return new ModelBenchmarkResult(steps, batchSize, clock.Elapsed.TotalSeconds, 3.0 * spec.ForwardFlops(imageSize, imageSize) * batchSize);
    }
}
