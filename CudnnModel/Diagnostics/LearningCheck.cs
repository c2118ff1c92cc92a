using CatsDogs.Model.Backends;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Diagnostics;

/// <summary>The mean training loss over a window of steps.</summary>
public readonly record struct LossPoint(int Step, double MeanLoss);

/// <summary>The loss curve of a short training run, and whether it fell far enough.</summary>
public sealed record LearningOutcome(IReadOnlyList<LossPoint> Curve, double RequiredDrop)
{
    /// <summary>The last window's mean loss is below <see cref="RequiredDrop"/> times the first's.</summary>
    public bool Learned => Curve.Count >= 2 && Curve[^1].MeanLoss < RequiredDrop * Curve[0].MeanLoss;
}

/// <summary>
/// Trains a model for a fixed number of steps on generated stripe images (orientation decides
/// the label) and records the mean loss of each window of steps: a device that computes wrong
/// gradients does not make it fall. Batches rotate through a few distinct ones, so a batch's
/// memory is never rewritten while an upload may still read it.
/// </summary>
public static class LearningCheck
{
    /// <param name="clipGradientNorm">Gradient clipping, off when null.</param>
    public static LearningOutcome Run(ComputeDevice device, ModelSpec spec, int imageSize, int batchSize, int steps, int window,
        double requiredDrop = 0.5, IProgress<LossPoint>? progress = null, float? clipGradientNorm = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2 * window);
        const int DistinctBatches = 8;
        using var images = new StripeImages(batchSize * DistinctBatches, imageSize, seed: 5, device.HostAllocator);
        var options = new NetworkOptions { Seed = 9, LearningRate = 1e-3f, Optimizer = new AdamWConfig(), ClipGradientNorm = clipGradientNorm };
        using var network = Network.Create(spec, imageSize, imageSize, device, options);
        var curve = new List<LossPoint>();
        for (var step = 1; step <= steps; step++)
        {
            network.TrainStep(images.Batch((step % DistinctBatches) * batchSize, batchSize));
            if (step % window == 0)
            {
                var point = new LossPoint(step, network.TakeTrainingStatistics().MeanLoss);
                curve.Add(point);
                progress?.Report(point);
            }
        }

        network.WaitForUploads();
        return new LearningOutcome(curve, requiredDrop);
    }
}
