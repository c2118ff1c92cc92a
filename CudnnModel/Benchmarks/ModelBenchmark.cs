using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Diagnostics;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Benchmarks;

/// <summary>Training throughput of a model on a device, for `catsdogs bench model`.</summary>
public static class ModelBenchmark
{
    /// <summary>Distinct batches cycled through, so that no cache holds one batch's inputs between steps.</summary>
    private const int DistinctBatches = 4;

    /// <summary>
    /// Times <paramref name="steps"/> training steps on generated images (in the device's own
    /// host memory, pinned under CUDA) after <paramref name="warmupSteps"/> untimed ones (JIT,
    /// algorithm search, first allocations). The clock stops after a statistics read, which
    /// waits for a device backend to finish. FLOPs count convolutions and dense layers, a step
    /// as three forward passes (forward, data and weight gradients). <paramref name="stepQueued"/>
    /// hears of each step queued, warm-up included (1 to warm-up + timed), for a progress display.
    /// </summary>
    public static BenchmarkResult Run(ComputeDevice device, ModelSpec spec, int imageSize, int batch, int warmupSteps, int steps, Action<int> stepQueued)
    {
        ArgumentNullException.ThrowIfNull(stepQueued);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        using var images = new StripeImages(batch * DistinctBatches, imageSize, seed: 1, device.HostAllocator);
        using var network = Network.Create(spec, imageSize, imageSize, device, new NetworkOptions { Seed = 1, Optimizer = new SgdConfig(), LearningRate = 1e-3f });
        for (var step = 0; step < warmupSteps; step++)
        {
            network.TrainStep(images.Batch(step % DistinctBatches * batch, batch));
            stepQueued(step + 1);
        }

        network.TakeTrainingStatistics();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < steps; step++)
        {
            network.TrainStep(images.Batch(step % DistinctBatches * batch, batch));
            stepQueued(warmupSteps + step + 1);
        }

        network.TakeTrainingStatistics();
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        network.WaitForUploads();

        var trainedImages = (double)steps * batch;
        var flops = 3d * spec.ForwardFlops(imageSize, imageSize) * trainedImages;
        var peak = device.Backend is CpuBackend cpu ? PeakEstimate.ForCpu(cpu.Threads) : null;
        return new BenchmarkResult(spec.Name, imageSize, batch, steps, device.Description, seconds, cpuSeconds,
            trainedImages / seconds, flops / seconds / 1e9, peak);
    }
}
