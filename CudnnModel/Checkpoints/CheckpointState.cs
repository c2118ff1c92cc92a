using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CatsDogs.Model.Optim;

namespace CatsDogs.Model.Checkpoints;

/// <summary>The JSON half of a checkpoint. It names the weights file and its hash, so it is the commit point of a save.</summary>
internal sealed record CheckpointState
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public required string Model { get; init; }

    public required int ImageHeight { get; init; }

    public required int ImageWidth { get; init; }

    public required long TrainableParameters { get; init; }

    public required int Epoch { get; init; }

    public required long Step { get; init; }

    public required float LearningRate { get; init; }

    public required OptimizerConfig Optimizer { get; init; }

    public float? ClipGradientNorm { get; init; }

    /// <summary>Absent from checkpoints saved before label smoothing existed: they trained without it.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Every random number (initial weights, dropout masks) is a hash of seed and step, so these two are the whole RNG state.</summary>
    public required RandomState Random { get; init; }

    public required string SplitHash { get; init; }

    public required string WeightsFile { get; init; }

    public required string WeightsSha256 { get; init; }

    public JsonObject? Trainer { get; init; }
}

internal sealed record RandomState(string Generator, ulong Seed, long Step)
{
    public const string CounterSplitMix64 = "counter-splitmix64";
}

/// <summary>Source-generated, so that checkpoints read and write in a trimmed publish too.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(CheckpointState))]
internal sealed partial class CheckpointStateJson : JsonSerializerContext;
