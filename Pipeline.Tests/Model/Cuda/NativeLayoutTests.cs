using System.Runtime.InteropServices;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>What can be checked of the bindings and the kernel source without a GPU.</summary>
public sealed class NativeLayoutTests
{
    [Fact]
    public unsafe void Algorithm_performance_matches_the_48_byte_cudnn_layout()
    {
        Assert.Equal(48, sizeof(CudnnAlgorithmPerformance));
        Assert.Equal(8, (int)Marshal.OffsetOf<CudnnAlgorithmPerformance>(nameof(CudnnAlgorithmPerformance.Milliseconds)));
        Assert.Equal(16, (int)Marshal.OffsetOf<CudnnAlgorithmPerformance>(nameof(CudnnAlgorithmPerformance.WorkspaceBytes)));
        Assert.Equal(24, (int)Marshal.OffsetOf<CudnnAlgorithmPerformance>(nameof(CudnnAlgorithmPerformance.Determinism)));
        Assert.Equal(28, (int)Marshal.OffsetOf<CudnnAlgorithmPerformance>(nameof(CudnnAlgorithmPerformance.MathType)));
    }

    [Fact]
    public void The_allowed_algorithms_keep_their_rank_fp32_takes_only_fma_math_and_tf32_never_converts_to_fp16()
    {
        CudnnAlgorithmPerformance[] measured =
        [
            new() { Algorithm = 6, Status = CudnnStatus.NotSupported, MathType = CudnnMathType.Fma, Determinism = 1 },
            new() { Algorithm = 5, Status = CudnnStatus.Success, MathType = CudnnMathType.TensorOpAllowConversion, Determinism = 1 },
            new() { Algorithm = 1, Status = CudnnStatus.Success, MathType = CudnnMathType.TensorOp, Determinism = 1 },
            new() { Algorithm = 0, Status = CudnnStatus.Success, MathType = CudnnMathType.Fma, Determinism = 1 },
        ];

        Assert.Equal([1, 0], Algorithms(measured, new AlgorithmRule(AllowTf32: true, Deterministic: false), "forward"));
        Assert.Equal([0], Algorithms(measured, new AlgorithmRule(AllowTf32: false, Deterministic: false), "forward"));
        var none = Assert.Throws<CudnnException>(() => ConvolutionPlan.Candidates(measured[..3], new AlgorithmRule(AllowTf32: false, Deterministic: false), "backward-data"));
        Assert.Contains("no strict float32 (FMA) algorithm for the backward-data pass", none.Message);
    }

    [Fact]
    public void Strict_fp32_also_takes_a_result_reported_as_default_math_and_runs_every_choice_as_fma()
    {
        var strict = new AlgorithmRule(AllowTf32: false, Deterministic: false);
        var tf32 = new AlgorithmRule(AllowTf32: true, Deterministic: false);
        CudnnAlgorithmPerformance[] measured =
        [
            new() { Algorithm = 1, Status = CudnnStatus.Success, MathType = CudnnMathType.TensorOp, Determinism = 1 },
            new() { Algorithm = 2, Status = CudnnStatus.Success, MathType = CudnnMathType.Default, Determinism = 1 },
        ];

        var chosen = ConvolutionPlan.Candidates(measured, strict, "forward").Single();

        // Found under an FMA descriptor, a result cuDNN reports as default math still runs as FMA, never as TF32.
        Assert.Equal(2, chosen.Algorithm);
        Assert.Equal(CudnnMathType.Fma, strict.MathFor(chosen));
        Assert.Equal(CudnnMathType.TensorOp, tf32.MathFor(measured[0]));
        Assert.Equal(CudnnMathType.Default, tf32.MathFor(measured[1]));
    }

    [Fact]
    public void Deterministic_passes_over_faster_algorithms_that_cudnn_reports_as_non_deterministic()
    {
        CudnnAlgorithmPerformance[] measured =
        [
            new() { Algorithm = 3, Status = CudnnStatus.Success, MathType = CudnnMathType.TensorOp, Determinism = 0 },
            new() { Algorithm = 0, Status = CudnnStatus.Success, MathType = CudnnMathType.Fma, Determinism = 0 },
            new() { Algorithm = 1, Status = CudnnStatus.Success, MathType = CudnnMathType.TensorOp, Determinism = 1 },
        ];

        Assert.Equal([3, 0, 1], Algorithms(measured, new AlgorithmRule(AllowTf32: true, Deterministic: false), "backward-filter"));
        Assert.Equal([1], Algorithms(measured, new AlgorithmRule(AllowTf32: true, Deterministic: true), "backward-filter"));
        var none = Assert.Throws<CudnnException>(() => ConvolutionPlan.Candidates(measured, new AlgorithmRule(AllowTf32: false, Deterministic: true), "backward-filter"));
        Assert.Contains("no deterministic strict float32 (FMA) algorithm for the backward-filter pass", none.Message);
    }

    [Theory]
    [InlineData(3000, true)]
    [InlineData(3001, true)]
    [InlineData(3013, true)]
    [InlineData(0, false)]
    [InlineData(2000, false)]
    [InlineData(2999, false)]
    [InlineData(4000, false)]
    public void Every_cudnn_9_not_supported_sub_code_counts_as_not_supported(int code, bool expected) =>
        Assert.Equal(expected, ((CudnnStatus)code).IsNotSupported());

    [Theory]
    [InlineData(new[] { 75, 80, 86, 89, 90 }, 90, "sm_90")]
    [InlineData(new[] { 75, 80, 86, 89, 90 }, 100, "compute_90")]
    [InlineData(new[] { 75, 80, 86 }, 89, "compute_86")]
    public void Kernels_target_the_device_or_the_newest_older_virtual_architecture(int[] supported, int device, string expected) =>
        Assert.Equal(expected, NvrtcCompiler.Choose(supported, device));

    [Fact]
    public void The_kernel_source_is_embedded_with_every_kernel_the_launcher_binds()
    {
        var source = CudaKernels.Source;
        foreach (var kernel in new[] { "load_images", "sigmoid_bce", "sigmoid", "dropout", "sgd_update", "adamw_update", "squared_norm_partials", "add_partials", "clip_factor", "gap_forward", "gap_backward" })
        {
            Assert.Contains($"extern \"C\" __global__ void {kernel}(", source.Replace("__launch_bounds__(BCE_THREADS) ", "").Replace("__launch_bounds__(NORM_THREADS) ", ""));
        }
    }

    private static int[] Algorithms(CudnnAlgorithmPerformance[] results, AlgorithmRule rule, string pass) =>
        [.. ConvolutionPlan.Candidates(results, rule, pass).Select(candidate => candidate.Algorithm)];
}
