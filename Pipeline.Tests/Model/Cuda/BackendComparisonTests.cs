using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Specs;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The self-test's comparison, run without a GPU: CPU against CPU must agree on every op at every
/// shape, and a backend that gets one op slightly wrong, or leaves stale values in its output,
/// must fail exactly that op.
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
                     "sigmoid + BCE gradient", "AdamW update", "load images (uint8 NHWC -> NCHW)", "dropout backward", "residual add (y += x)" })
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

    [Theory]
    [InlineData(nameof(IBackend.Gemm), "dense backward weights (dyT x, alpha, beta)")]
    [InlineData(nameof(IBackend.MaxPoolBackward), "max pool backward")]
    [InlineData(nameof(IBackend.Add), "residual add (y += x)")]
    public void A_backend_that_leaves_stale_values_in_an_output_fails_that_op_only(string method, string op)
    {
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var inner = new CpuBackend(new CpuBackendOptions { Threads = 1 });
        using var candidate = new StaleOutputBackend(inner, method);

        var rows = BackendComparison.Run(reference, candidate, BackendComparison.Fp32Threshold);

        Assert.Equal([op], rows.Where(r => !r.Passed).Select(r => r.Op));
    }

    [Fact]
    public void The_worst_error_names_the_shape_it_was_met_at()
    {
        var worst = new WorstErrors(1e-4);

        worst.Add("op", "small", 1e-6);
        worst.Add("op", "large", 1e-3);
        worst.Add("op", "odd", 1e-5);
        worst.Add("other", "small", double.NaN);
        worst.Add("other", "large", 1e-3);

        Assert.Equal([new OpComparison("op", 1e-3, 1e-4, "large"), new OpComparison("other", double.NaN, 1e-4, "small")], worst.Rows);
    }

    /// <summary>What each op family must meet: odd sides, a batch of 1, non-square planes, channels no multiple of 8, and every preset's largest problem.</summary>
    [Fact]
    public void Every_op_family_runs_at_awkward_shapes_and_at_each_presets_largest()
    {
        TensorShape[] maps = [.. ComparisonShapes.FeatureMaps.Select(s => s.Shape)];
        TensorShape[] convolutions = [.. ComparisonShapes.Convolutions.Select(s => s.Input)];
        TensorShape[] dense = [.. ComparisonShapes.Dense.Select(s => s.Input)];
        TensorShape[] images = [.. ComparisonShapes.Images.Select(s => s.Shape)];

        foreach (var shapes in new[] { maps, convolutions, images })
        {
            Assert.Contains(shapes, s => s.H % 2 == 1 || s.W % 2 == 1);
            Assert.Contains(shapes, s => s.H != s.W);
        }

        foreach (var shapes in new[] { maps, convolutions, dense, images, [.. ComparisonShapes.Logits.Select(s => s.Shape)] })
        {
            Assert.Contains(shapes, s => s.N == 1);
        }

        Assert.All(new[] { maps, convolutions, dense }, shapes => Assert.Contains(shapes, s => s.C % 8 != 0));
        Assert.Contains(ComparisonShapes.Convolutions, s => s.Filters % 8 != 0);
        Assert.Contains(ComparisonShapes.Convolutions, s => s.Input.C == 100 && s.Input.H == 32 && s.Filters == 200);
        Assert.Contains(ComparisonShapes.Dense, s => s.Input.ItemSize == 32 * 32 * 32 && s.Units == 128);
        Assert.Contains(ComparisonShapes.FeatureMaps, s => s.Shape == new TensorShape(1, 100, 64, 64));
        Assert.Contains(ComparisonShapes.Parameters, s => s.Shape.Count == ModelPresets.Baseline.Describe(64, 64).Max(l => l.TrainableParameters));
        foreach (var preset in ModelPresets.Names)
        {
            Assert.All(new IEnumerable<string>[]
            {
                ComparisonShapes.Convolutions.Select(s => s.Name), ComparisonShapes.Dense.Select(s => s.Name),
                ComparisonShapes.FeatureMaps.Select(s => s.Name), ComparisonShapes.Parameters.Select(s => s.Name), ComparisonShapes.Images.Select(s => s.Name),
            }, names => Assert.Contains(names, name => name.StartsWith(preset + " ", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Relative_error_is_scaled_by_the_largest_reference_and_matches_NaN_only_with_NaN()
    {
        Assert.Equal(0.01, BackendPair.RelativeError([10f, 0f, -2f], [10f, 0.1f, -2f]), 6);
        Assert.Equal(0, BackendPair.RelativeError([float.NaN, 1f], [float.NaN, 1f]));
        Assert.True(double.IsNaN(BackendPair.RelativeError([1f, 1f], [1f, float.NaN])));
        Assert.True(double.IsNaN(BackendPair.RelativeError([float.NaN, 1f], [0f, 1f])));
        Assert.False(new OpComparison("op", double.NaN, 1, "shape").Passed);
    }
}
