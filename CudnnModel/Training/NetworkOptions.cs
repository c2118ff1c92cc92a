using CatsDogs.Model.Optim;

namespace CatsDogs.Model.Training;

/// <summary>How a network is initialised and trained.</summary>
public sealed record NetworkOptions
{
    /// <summary>Seeds the initial weights and every dropout mask; the same seed gives the same run.</summary>
    public ulong Seed { get; init; }

    public OptimizerConfig Optimizer { get; init; } = new SgdConfig();

    /// <summary>Learning rate until the caller sets <see cref="Network.LearningRate"/>.</summary>
    public float LearningRate { get; init; } = 0.01f;

    /// <summary>When set, gradients are scaled down so that their global L2 norm is at most this.</summary>
    public float? ClipGradientNorm { get; init; }

    /// <summary>Label smoothing of the training loss: targets move this far toward 1/2 (0 for none). Evaluation uses the labels as they are.</summary>
    public float LabelSmoothing { get; init; }
}
