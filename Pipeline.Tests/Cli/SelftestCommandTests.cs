using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Cli;

/// <summary>The selftest and bench model verbs end to end, on the CPU.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SelftestCommandTests
{
    [Fact]
    public void Selftest_on_the_cpu_prints_every_op_a_falling_loss_and_repeatable_runs_and_exits_0()
    {
        var (exit, output) = CliRun.Run("selftest", "--device", "cpu", "--cpu-threads", "2", "--model", "compact", "--image-size", "16", "--steps", "40", "--batch", "16",
            "--deterministic");

        Assert.Equal(0, exit);
        Assert.Contains("conv backward filter", output);
        Assert.Contains("load images (uint8 NHWC -> NCHW)", output);
        Assert.Contains("determinism check: 20 steps with gradients clipped to norm 0.5, twice from one seed: every loss equal bit for bit: PASS", output);
        Assert.DoesNotContain("FAIL", output);
        Assert.Contains("selftest passed on cpu", output);
    }

    [Fact]
    public void Bench_model_reports_images_per_second_and_tflops()
    {
        var (exit, output) = CliRun.Run("bench", "model", "--device", "cpu", "--cpu-threads", "2", "--model", "baseline", "--image-size", "16",
            "--batch", "8", "--warmup", "1", "--steps", "2");

        Assert.Equal(0, exit);
        Assert.Matches(@"result model=baseline batch=8 images_per_second=[0-9.]+ tflops=[0-9.]+", output);
    }

    [NoCudaFact]
    public void Selftest_on_cuda_without_a_gpu_exits_3_and_says_where_it_looked()
    {
        var (exit, output) = CliRun.Run("selftest", "--device", "cuda");

        Assert.Equal(ExitCodes.Environment, exit);
        Assert.Contains("error: --device cuda: the CUDA driver (libcuda.so.1) did not load", output);
        Assert.Contains("libcuda.so.1 (loader search)", output);
    }
}
