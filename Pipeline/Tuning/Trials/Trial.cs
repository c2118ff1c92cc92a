using System.Text.Json.Serialization;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>Which question a trial answers: the batch size, or the input settings at the batch chosen.</summary>
internal enum TrialPhase
{
    Batch,
    Input,
}

internal enum TrialOutcome
{
    Measured,

    /// <summary>On a GPU: the batch did not fit in device memory with its workspace.</summary>
    OutOfMemory,

    /// <summary>The budget ran out before the trial had measured enough steps; its figures are not used.</summary>
    CutShort,
}

/// <summary>One row of tune's table: a setting, how the trial ended, and what it measured.</summary>
/// <param name="Seconds">The whole trial, pipeline and network set up, cache filled and warm-up included.</param>
/// <param name="MemoryBytes">Host memory the setting takes (<see cref="TrialSettings.MemoryBytes"/>).</param>
/// <param name="Figures">What the measured steps gave; null unless <see cref="Outcome"/> is <see cref="TrialOutcome.Measured"/>.</param>
internal sealed record Trial(int Number, TrialPhase Phase, TrialSettings Settings, TrialOutcome Outcome, double Seconds, long MemoryBytes, TrialFigures? Figures)
{
    /// <summary>Images per second of a measured trial, 0 for any other.</summary>
    [JsonIgnore]
    public double ImagesPerSecond => Figures?.ImagesPerSecond ?? 0;
}

/// <summary>
/// A trial's measured stretch: training steps after the warm-up, each waiting for its batch as Trainer's do.
/// </summary>
/// <param name="InputWait">Time spent waiting for the next batch over the measured stretch's wall time, as metrics.csv's input_wait_fraction.</param>
/// <param name="CpuCores">The process's CPU time over the stretch's wall time: the cores the network and the pipeline kept busy together.</param>
/// <param name="StepSeconds">Wall time per step in the stretch, waits included.</param>
/// <param name="FillSeconds">A cache trial's first pass, which filled (or opened) the cache without training; 0 without a cache.</param>
/// <param name="WarmupSeconds">The unmeasured steps before the stretch.</param>
/// <param name="MeasuredSeconds">The stretch itself.</param>
/// <param name="InputMicrosecondsPerImage">One worker's busy time per image over the whole trial (read, decode and warp): what a cache fill costs per image.</param>
internal sealed record TrialFigures(
    double ImagesPerSecond, double InputWait, double CpuCores, double StepSeconds, double FillSeconds, double WarmupSeconds, double MeasuredSeconds,
    double InputMicrosecondsPerImage);
