using System.Text.Json.Nodes;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Checkpoints;

/// <summary>
/// What the caller adds to a checkpoint besides the network: the epoch just finished, the hash
/// of the data split the run uses (a resume refuses another split), and any state of its own
/// (schedules, early stopping, counters) as JSON.
/// </summary>
public sealed record CheckpointInfo(int Epoch, string SplitHash)
{
    public JsonObject? TrainerState { get; init; }
}

/// <summary>A network restored from a checkpoint, ready to continue training, and what was saved with it.</summary>
public sealed record LoadedCheckpoint(Network Network, CheckpointInfo Info);
