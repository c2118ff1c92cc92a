using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The self-test's comparison, run without a GPU: CPU against CPU must agree on every op, and a
/// backend that gets one op slightly wrong must fail exactly that op.
/// </summary>
public sealed class BackendComparisonTests
{
    [Fact]
    public void Cpu_agrees_with_cpu_on_every_op()
    {
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new CpuBackend(new CpuBackendOptions { Threads = 2 });

        var rows = BackendComparison.Run(reference, candidate, BackendComparison.Fp32Threshold);

        Assert.All(rows, row => Assert.True(row.WorstRelativeError < 1e-5, $"{row.Op}: {row.WorstRelativeError:E2}"));
        Assert.Equal(rows.Count, rows.Select(r => r.Op).Distinct().Count());
        foreach (var op in new[] { "conv forward", "conv backward data", "conv backward filter", "max pool backward", "batch norm backward",
                     "sigmoid + BCE gradient", "AdamW update", "load images (uint8 NHWC -> NCHW)", "dropout backward" })
        {
            Assert.Contains(rows, row => row.Op == op);
        }
    }

    [Theory]
    [InlineData(nameof(IBackend.ConvolutionBackwardFilter), "conv backward filter")]
    [InlineData(nameof(IBackend.MaxPoolBackward), "max pool backward")]
    [InlineData(nameof(IBackend.AdamWUpdate), "AdamW update")]
    public void A_backend_that_is_off_in_one_op_fails_that_op_only(string method, string op)
    {
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var inner = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new SkewingBackend(inner, method);

        var rows = BackendComparison.Run(reference, candidate, BackendComparison.Fp32Threshold);

        Assert.Equal([op], rows.Where(r => !r.Passed).Select(r => r.Op));
        Assert.True(rows.Single(r => r.Op == op).WorstRelativeError > 1e-3);
    }

    [Fact]
    public void Relative_error_is_scaled_by_the_largest_reference_and_matches_NaN_only_with_NaN()
    {
        Assert.Equal(0.01, BackendPair.RelativeError([10f, 0f, -2f], [10f, 0.1f, -2f]), 6);
        Assert.Equal(0, BackendPair.RelativeError([float.NaN, 1f], [float.NaN, 1f]));
        Assert.True(double.IsNaN(BackendPair.RelativeError([1f, 1f], [1f, float.NaN])));
        Assert.True(double.IsNaN(BackendPair.RelativeError([float.NaN, 1f], [0f, 1f])));
        Assert.False(new OpComparison("op", double.NaN, 1).Passed);
    }
}
