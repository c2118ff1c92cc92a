using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Diagnostics;

/// <summary>Where two runs of the determinism check first parted, if they did.</summary>
public sealed record DeterminismOutcome(int Steps, int? FirstDifferentStep)
{
    public bool Identical => FirstDifferentStep is null;
}

/// <summary>
/// The learning check's first steps twice from one seed, once on each of two devices opened alike
/// (each chooses its own convolution algorithms, as two runs of the program do), with gradient
/// clipping so that the gradient norm is summed too, comparing every step's loss bit for bit. A
/// device that sums in an order that changes from run to run (atomics across blocks, cuDNN's
/// non-deterministic algorithms) or chooses by timings makes them part within a few steps; a
/// deterministic one never does.
/// </summary>
public static class DeterminismCheck
{
    /// <summary>A norm the generated images' gradients exceed, so that clipping scales them.</summary>
    public const float ClipNorm = 0.5f;

    public static DeterminismOutcome Run(ComputeDevice firstDevice, ComputeDevice secondDevice, ModelSpec spec, int imageSize, int batchSize, int steps)
    {
        var first = LearningCheck.Run(firstDevice, spec, imageSize, batchSize, steps, window: 1, clipGradientNorm: ClipNorm).Curve;
        var second = LearningCheck.Run(secondDevice, spec, imageSize, batchSize, steps, window: 1, clipGradientNorm: ClipNorm).Curve;
        var parted = first.Zip(second).FirstOrDefault(pair => !pair.First.MeanLoss.Equals(pair.Second.MeanLoss));
        return new DeterminismOutcome(steps, parted == default ? null : parted.First.Step);
    }
}
