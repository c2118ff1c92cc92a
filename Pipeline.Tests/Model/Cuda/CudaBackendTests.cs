using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Specs;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>The CUDA backend against the CPU reference; skipped without a CUDA device.</summary>
public sealed class CudaBackendTests
{
    [CudaFact]
    public void Every_op_matches_the_cpu_with_tf32() => AssertOpsMatch(Precision.Tf32, BackendComparison.Tf32Threshold);

    [CudaFact]
    public void Every_op_matches_the_cpu_in_strict_fp32() => AssertOpsMatch(Precision.Fp32, BackendComparison.Fp32Threshold);

    [CudaFact]
    public void Deep6_learns_stripe_orientation()
    {
        using var device = BackendFactory.Create(DeviceKind.Cuda);

        var outcome = LearningCheck.Run(device, ModelPresets.Deep6, imageSize: 64, batchSize: 32, steps: 200, window: 20);

        Assert.True(outcome.Learned, $"Loss went from {outcome.Curve[0].MeanLoss:F3} to {outcome.Curve[^1].MeanLoss:F3}.");
    }

    [CudaFact]
    public void The_cuda_device_pins_its_batch_memory_and_names_the_gpu()
    {
        using var device = BackendFactory.Create(DeviceKind.Cuda);
        using var block = device.HostAllocator.Allocate(1 << 20);

        Assert.Equal("pinned", device.HostAllocator.Name);
        Assert.Contains("cuDNN 9.", device.Description);
        Assert.Contains("cuBLAS", device.Description);
    }

    private static void AssertOpsMatch(Precision precision, double threshold)
    {
        using var device = BackendFactory.Create(DeviceKind.Cuda, cudaOptions: new CudaBackendOptions { Precision = precision });

        var rows = BackendComparison.CompareWithCpu(device, new CpuBackendOptions { Threads = 2 }, threshold);

        Assert.All(rows, row => Assert.True(row.Passed, $"{row.Op}: {row.WorstRelativeError:E2} over {row.Threshold:E0}"));
    }
}
