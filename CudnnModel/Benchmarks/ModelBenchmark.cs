using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Benchmarks;

/// <summary>Training throughput of a model on a device, for `catsdogs bench model`.</summary>
public static class ModelBenchmark
{
    /// <summary>
    /// Times <paramref name="steps"/> training steps on random images after
    /// <paramref name="warmupSteps"/> untimed ones (JIT, first allocations). FLOPs count
    /// convolutions and dense layers only, backward as twice the forward pass.
    /// </summary>
    public static BenchmarkResult Run(ModelSpec spec, int imageSize, int batch, int steps, ComputeDevice device, int warmupSteps = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        using var pixels = AlignedHostAllocator.Instance.Allocate((long)batch * imageSize * imageSize * HostImageBatch.Channels);
        using var labels = AlignedHostAllocator.Instance.Allocate(batch * sizeof(float));
        FillRandom(pixels, labels, batch);
        var images = new HostImageBatch(pixels.Pointer, labels.Pointer, batch, imageSize, imageSize);
        using var network = Network.Create(spec, imageSize, imageSize, device, new NetworkOptions { Seed = 1, LearningRate = 1e-3f });
        for (var i = 0; i < warmupSteps; i++)
        {
            network.TrainStep(images);
        }

        network.TakeTrainingStatistics();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            network.TrainStep(images);
        }

        // Reading the statistics waits for a device backend to finish the queued steps.
        network.TakeTrainingStatistics();
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var trainedImages = (double)steps * batch;
        var flops = 3d * spec.ForwardFlops(imageSize, imageSize) * trainedImages;
        var peak = PeakEstimate.ForCpu(device.Backend is CpuBackend cpu ? cpu.Threads : Environment.ProcessorCount);
        return new BenchmarkResult(spec.Name, imageSize, batch, steps, device.Description, seconds, cpuSeconds,
            trainedImages / seconds, flops / seconds / 1e9, peak);
    }

    private static void FillRandom(HostMemory pixels, HostMemory labels, int batch)
    {
        var random = new Random(1);
        random.NextBytes(pixels.AsSpan(0, (int)pixels.Length));
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(labels.AsSpan(0, batch * sizeof(float)));
        for (var i = 0; i < batch; i++)
        {
            values[i] = i % 2;
        }
    }
}
