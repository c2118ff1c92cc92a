namespace CatsDogs.Pipeline.Training;

internal enum TrainingEnd
{
    Completed,
    EarlyStopped,
    Interrupted,
}

/// <summary>How a run ended and what it reached.</summary>
internal sealed record TrainingOutcome(TrainingEnd End, int EpochsDone, EpochRecord? Best, EpochRecord? Last, TimeSpan Elapsed);
