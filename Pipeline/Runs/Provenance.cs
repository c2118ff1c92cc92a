namespace CatsDogs.Pipeline.Runs;

/// <summary>
/// Where a training run came from, saved beside its settings in config.json: one session for each time it was
/// started, the first being the one that began it and each --resume adding one.
/// </summary>
internal sealed record Provenance(IReadOnlyList<RunSession> Sessions)
{
    public Provenance With(RunSession session) => new([.. Sessions, session]);
}
