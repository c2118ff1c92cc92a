using CatsDogs.Model.Optim;
using CatsDogs.Pipeline.Inference;

namespace CatsDogs.Pipeline.Training;

public enum ScheduleKind
{
    Constant,
    Step,
    Cosine,
    OneCycle,
    Plateau,
}

public enum MonitorMetric
{
    ValLoss,
    ValAcc,
}

internal enum OptimizerKind
{
    Sgd,
    AdamW,
}

/// <summary>Everything that shapes a training run besides the data and the input pipeline; saved as the run's config.</summary>
internal sealed record TrainOptions
{
    public string Model { get; init; } = "compact";

    public int Epochs { get; init; } = 20;

    /// <summary>The optimizer, with its settings as the command line gives them (see <see cref="ToOptimizerConfig"/>).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    public float Momentum { get; init; } = 0.9f;

    public bool Nesterov { get; init; }

    /// <summary>L2 for SGD, decoupled for AdamW.</summary>
    public float WeightDecay { get; init; } = 5e-4f;

    public float LearningRate { get; init; } = 0.05f;

    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Warm-up length for cosine, in epochs.</summary>
    public double WarmupEpochs { get; init; } = 1;

    /// <summary>Step schedule: epochs between decays, and the decay factor.</summary>
    public int StepEpochs { get; init; } = 10;

    public float StepGamma { get; init; } = 0.1f;

    /// <summary>Reduce-on-plateau: factor and patience in epochs (on the monitored metric).</summary>
    public float PlateauFactor { get; init; } = 0.1f;

    public int PlateauPatience { get; init; } = 3;

    /// <summary>Early stopping patience in epochs; null turns it off.</summary>
    public int? EarlyStopPatience { get; init; }

    public double EarlyStopMinDelta { get; init; }

    public float? ClipGradientNorm { get; init; }

    /// <summary>How far the training loss's targets move toward 1/2 (0 for none); validation scores against the labels.</summary>
    public float LabelSmoothing { get; init; }

    public MonitorMetric Monitor { get; init; } = MonitorMetric.ValLoss;

    /// <summary>How validation shows each image to the network, as evaluate's --tta: the best checkpoint is picked by that score.</summary>
    public TestTimeAugmentation ValidationTta { get; init; } = TestTimeAugmentation.None;

    /// <summary>Steps between reads of the training loss; a read waits for the device.</summary>
    public int LogEvery { get; init; } = 20;

    public int Seed { get; init; } = 42;

    /// <summary>The optimizer these settings describe; as on the command line, momentum and Nesterov apply to SGD only.</summary>
    public OptimizerConfig ToOptimizerConfig() => Optimizer == OptimizerKind.AdamW
        ? new AdamWConfig { WeightDecay = WeightDecay }
        : new SgdConfig { Momentum = Momentum, Nesterov = Nesterov, WeightDecay = WeightDecay };
}
