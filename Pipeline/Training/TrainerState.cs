using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CatsDogs.Model.Schedules;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// What the trainer must remember across a stop to continue as if it never stopped: where in
/// which epoch it was, the partial epoch's sums, and the state of its schedule and early stopping.
/// Stored in the checkpoint's JSON next to the network's own state.
/// </summary>
internal sealed record TrainerState
{
    /// <summary>The epoch in progress (0-based), or the next one when <see cref="NextPosition"/> is 0.</summary>
    public int Epoch { get; init; }

    /// <summary>Where the epoch's pass resumes; 0 at an epoch boundary.</summary>
    public int NextPosition { get; init; }

    /// <summary>The epoch in progress' sums up to <see cref="NextPosition"/>.</summary>
    public EpochSums Partial { get; init; }

    public double? BestMetric { get; init; }

    public int BestEpoch { get; init; } = -1;

    public PlateauState? Plateau { get; init; }

    public EarlyStoppingState? EarlyStopping { get; init; }

    /// <summary>The run's time over all its sessions up to this checkpoint, so that a resumed run's time counts on from there.</summary>
    public double RunSeconds { get; init; }

    public JsonObject ToJson() => (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(this, TrainerStateJson.Default.TrainerState)!;

    public static TrainerState FromJson(JsonObject? json) =>
        json is null ? new TrainerState() : System.Text.Json.JsonSerializer.Deserialize(json, TrainerStateJson.Default.TrainerState) ?? new TrainerState();
}

[JsonSerializable(typeof(TrainerState))]
internal sealed partial class TrainerStateJson : JsonSerializerContext;
