using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Tests.Export;

/// <summary>A checkpoint whose weights and batch norm statistics have moved away from their initial values.</summary>
internal static class TrainedCheckpoint
{
    public const int Steps = 4;

    private const int BatchSize = 16;

    /// <summary>
    /// Trains <paramref name="spec"/> for <see cref="Steps"/> steps on <paramref name="images"/>, at a rate high enough
    /// that every layer changes, and saves it as best.json in <paramref name="folder"/>; returns that path.
    /// </summary>
    public static string Save(ModelSpec spec, DecodedImages images, ComputeDevice device, string folder)
    {
        using var network = Network.Create(spec, images.Size, images.Size, device, new NetworkOptions { Seed = 11, LearningRate = 0.005f });
        for (var step = 0; step < Steps; step++)
        {
            network.TrainStep(images.Batch(step * BatchSize % images.Count, BatchSize));
        }

        return Checkpoint.Save(network, folder, "best", new CheckpointInfo(1, "split-hash"));
    }
}
