using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The NVRTC kernels, built for the CPU, against the CPU backend in the self-test's own
/// comparison: what a GPU's first run would find wrong in a kernel's formula, indexing,
/// reduction or argument order, found without one.
/// </summary>
public sealed class KernelsOnCpuTests
{
    private static readonly string[] AllKernels =
        ["load_images", "sigmoid_bce", "sigmoid", "dropout", "sgd_update", "adamw_update", "squared_norm", "clip_factor", "gap_forward", "gap_backward"];

    [CppFact]
    public void Every_kernel_matches_the_cpu_backend_within_the_fp32_threshold()
    {
        var module = new CpuKernelModule();
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new KernelsOnCpuBackend(module, maxBlocks: 2);

        var rows = BackendComparison.Run(reference, candidate, BackendComparison.Fp32Threshold);

        Assert.All(rows, row => Assert.True(row.Passed, $"{row.Op}: {row.WorstRelativeError:E2}"));
        Assert.Equal(AllKernels.Order(), module.Launches.Keys.Order());
    }

    [CppFact]
    public void A_kernel_that_swaps_two_channels_fails_the_comparison_in_its_op_only()
    {
        var correct = "out[plane] = rgb[1] * (1.0f / 255.0f);";
        Assert.Contains(correct, CudaKernels.Source);
        var module = new CpuKernelModule(CudaKernels.Source.Replace(correct, "out[plane] = rgb[2] * (1.0f / 255.0f);", StringComparison.Ordinal));
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new KernelsOnCpuBackend(module, maxBlocks: 2);

        var rows = BackendComparison.Run(reference, candidate, BackendComparison.Fp32Threshold);

        Assert.Equal(["load images (uint8 NHWC -> NCHW)"], rows.Where(r => !r.Passed).Select(r => r.Op));
    }
}
