namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>One change the autotuner makes: a single setting moved, and why, in one line for the log.</summary>
/// <param name="Setting">The setting it moved; every decision moves exactly one, so each can be read and undone alone.</param>
/// <param name="Settings">All the settings, that one changed, to apply as a user's retune would be.</param>
/// <param name="Reason">What it saw and what it does, such as "input wait 4.2% of step time > 1%, decoders busy 97%: decode threads 1 → 2".</param>
internal sealed record AutotuneDecision(SettingName Setting, PipelineSettings Settings, string Reason);
