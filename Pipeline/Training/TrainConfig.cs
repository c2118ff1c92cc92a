using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// A training run's settings: one member for each option of `catsdogs train` that shapes the run. Saved in
/// runs/&lt;name&gt;/config.json when it starts (<see cref="TrainConfigFile"/>); a resumed run reads them back so
/// that it continues with exactly the same settings, and `train --config` reads them as a new run's.
/// </summary>
internal sealed record TrainConfig
{
    public required string Data { get; init; }

    /// <summary>The split file; null, until <see cref="Resolved"/>, means the default one for <see cref="Data"/>.</summary>
    public string? SplitFile { get; init; }

    public int? ValidationCount { get; init; }

    public double ValidationFraction { get; init; }

    public string? Exclude { get; init; }

    public DeviceKind Device { get; init; }

    public int CpuThreads { get; init; }

    /// <summary>GPU float32 math (TF32 or strict FP32); a resumed run keeps it.</summary>
    public Precision Precision { get; init; }

    /// <summary>Same bits on every run on the GPU (--deterministic); a resumed run keeps it unless told otherwise.</summary>
    public bool Deterministic { get; init; }

    /// <summary>Let the autotuner move the input threads and prefetch during the run (--autotune); a resumed run keeps it.</summary>
    public bool Autotune { get; init; }

    public required TrainOptions Train { get; init; }

    public required InputPipelineOptions Input { get; init; }

    /// <summary>
    /// The settings with their paths made absolute (a relative one is taken from the current folder, as on the
    /// command line) and the split file named, so that the run can be resumed from any folder.
    /// </summary>
    public TrainConfig Resolved()
    {
        var data = Path.GetFullPath(Data);
        return this with
        {
            Data = data,
            SplitFile = Path.GetFullPath(SplitFile ?? SplitFiles.DefaultFor(data)),
            Exclude = Exclude is null ? null : Path.GetFullPath(Exclude),
        };
    }
}
