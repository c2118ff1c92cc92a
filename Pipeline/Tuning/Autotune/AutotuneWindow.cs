namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// What the trainer saw over one observation window (a few seconds, several steps): how long it waited for batches,
/// how long its steps took, and how long the input workers were busy in each step of an image.
/// </summary>
/// <param name="Steps">Training steps taken in the window.</param>
/// <param name="InputWait">Time the trainer waited for the next batch, summed over the steps.</param>
/// <param name="StepTime">Time in the steps themselves, the waits left out: the trainer's pace.</param>
/// <param name="ReadBusy">Time the workers spent reading files, summed over the threads.</param>
/// <param name="DecodeBusy">Time the workers spent decoding, summed over the threads.</param>
/// <param name="AugmentBusy">Time the workers spent warping into tiles, summed over the threads.</param>
/// <param name="ReadyBatches">Finished batches waiting in the prefetch queue when the trainer asked for the next one, on average.</param>
internal sealed record AutotuneWindow(
    int Steps, TimeSpan InputWait, TimeSpan StepTime, TimeSpan ReadBusy, TimeSpan DecodeBusy, TimeSpan AugmentBusy, double ReadyBatches)
{
    /// <summary>Input wait as a fraction of step time: the figure the autotuner holds at 1% at most.</summary>
    public double WaitFraction => InputWait / StepTime;

    /// <summary>The window's length as the trainer lived it: its steps and its waits.</summary>
    public TimeSpan Elapsed => InputWait + StepTime;

    /// <summary>Steps per second of step time: how fast the trainer takes batches when none keeps it waiting.</summary>
    public double Pace => Steps / StepTime.TotalSeconds;

    /// <summary>The busy time of the step whose threads <paramref name="step"/> counts.</summary>
    public TimeSpan Busy(SettingName step) => step switch
    {
        SettingName.ReadThreads => ReadBusy,
        SettingName.DecodeThreads => DecodeBusy,
        SettingName.AugmentThreads => AugmentBusy,
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "Not a worker step's thread count."),
    };
}
