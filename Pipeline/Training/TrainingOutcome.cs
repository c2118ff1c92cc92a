namespace CatsDogs.Pipeline.Training;

internal enum TrainingEnd
{
    Completed,
    EarlyStopped,
    Interrupted,
}

/// <summary>
/// How a run ended, what it reached and what its checkpoint files really hold; <see cref="Elapsed"/>
/// counts the sessions before a resume too.
/// </summary>
internal sealed record TrainingOutcome(TrainingEnd End, int EpochsDone, EpochRecord? Best, EpochRecord? Last, TimeSpan Elapsed, CheckpointLedger Checkpoints);
