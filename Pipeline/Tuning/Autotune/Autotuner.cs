using static System.FormattableString;

namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// Keeps input wait at most 1% of step time with the fewest threads and the least prefetch memory that do it, one
/// setting and one reason at a time. Shown a window in which the trainer waited, it undoes a probe that caused it, else
/// adds a thread where the busy times put the bottleneck, else a prefetched batch where the producer keeps up but
/// comes in bursts. The busy times alone miss a producer whose work is partly outside the timed steps (the hops and the
/// batcher, a visible share on small images): its threads read under <see cref="SaturatedBusy"/> while it falls behind.
/// So a producer shown too slow on average (the queue empty when the trainer asks, or a prefetch rise that did not cut
/// the wait, which is undone) gets a thread at its busiest limit however busy that reads. After <see cref="Patience"/>
/// windows without waiting it probes down: a thread step to the fewest threads the busy times say will do (lighter
/// steps first), then one batch of prefetch. What proved too low becomes a
/// floor (<see cref="Floors"/>). Thread counts move only for steps that did work in the window, and settings the user
/// pinned never move. Read threads move as decode and augment threads do: the workers are as many as the largest of
/// the three counts, so a read count left where it started would keep every worker the other two gave up.
/// <para>Threading: one caller, once per window.</para>
/// </summary>
internal sealed class Autotuner(SettingLimits limits)
{
    /// <summary>The most input wait, as a fraction of step time, the autotuner lets stand.</summary>
    public const double MaxWaitFraction = 0.01;

    /// <summary>Windows of fewer steps are too noisy to act on.</summary>
    public const int MinSteps = 5;

    /// <summary>Windows without waiting before a probe down, and that a probe must last to stand.</summary>
    public const int Patience = 3;

    /// <summary>Threads this busy while the trainer waits are the bottleneck.</summary>
    private const double SaturatedBusy = 0.9;

    /// <summary>How busy a probe aims to leave a step: headroom for the jitter of images and steps.</summary>
    private const double TargetBusy = 0.85;

    /// <summary>A probe one thread down is worth trying only if the step would be at most this busy; above it, it would only fail.</summary>
    private const double MaxProbeBusy = 0.95;

    /// <summary>Batches the queue must hold on average for bursts, not a slow producer, to be why it runs dry.</summary>
    private const double QueueHeld = 0.5;

    /// <summary>A prefetch rise stands only if the wait falls to at most this fraction of the wait that called for it.</summary>
    private const double WaitLeftByUsefulRise = 0.8;

    /// <summary>
    /// Windows of waiting in a row, under the same settings, before prefetch rises: the window after a change may
    /// still be refilling the queue, and only bursts that recur are worth memory.
    /// </summary>
    private const int WaitingForPrefetch = 2;

    /// <summary>The settings the autotuner moves; queue_per_thread, batch_size and cache it leaves alone.</summary>
    private static readonly SettingName[] Tuned = [SettingName.ReadThreads, SettingName.DecodeThreads, SettingName.AugmentThreads, SettingName.Prefetch];

    private readonly Floors _floors = new();
    private Probe? _probe;
    private PrefetchRise? _rise;
    private long _prefetchFutileUntil;
    private int _calmWindows;
    private int _waitingWindows;
    private long _window;

    /// <summary>What to change after <paramref name="window"/>, under <paramref name="current"/>; null to keep everything.</summary>
    public AutotuneDecision? Observe(AutotuneWindow window, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        var decision = Decide(window, current, pinned);
        if (decision is not null)
        {
            // Streaks count windows under the settings in force.
            _calmWindows = 0;
            _waitingWindows = 0;
        }

        return decision;
    }

    private AutotuneDecision? Decide(AutotuneWindow window, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        if (OverLimit(current, pinned) is { } lowered)
        {
            return lowered;
        }

        if (window.Steps < MinSteps || window.StepTime <= TimeSpan.Zero)
        {
            return null;
        }

        _window++;
        _floors.ForgetFasterThan(window.Pace);
        if (_probe is { } probe && (pinned.Contains(probe.Setting) || current.Of(probe.Setting) != probe.To))
        {
            // Someone else moved or pinned the setting since: the probe no longer says anything.
            _probe = null;
        }

        var load = new WorkerLoad(window, current);
        if (window.WaitFraction > MaxWaitFraction)
        {
            _calmWindows = 0;
            _waitingWindows++;
            return Revert(window, current)
                ?? UndoFutileRise(window, current, pinned)
                ?? AddThread(window, load, current, pinned)
                ?? AddPrefetch(window, load, current, pinned);
        }

        _waitingWindows = 0;
        _rise = null;
        if (++_calmWindows < Patience)
        {
            return null;
        }

        _probe = null;
        return ProbeThreads(window, load, current, pinned) ?? ProbePrefetch(window, current, pinned);
    }

    /// <summary>A setting above its limit, not pinned, comes down to it first (it may have started there).</summary>
    private AutotuneDecision? OverLimit(PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        foreach (var setting in Tuned)
        {
            var limit = setting == SettingName.Prefetch ? limits.MaxPrefetch : limits.Cores;
            if (current.Of(setting) > limit && !pinned.Contains(setting))
            {
                var bound = setting == SettingName.Prefetch ? $"the memory cap holds {limit} batches" : $"only {limit} cores";
                return Change(current, setting, limit, bound);
            }
        }

        return null;
    }

    /// <summary>A probe followed by waiting is undone, and the value it tried becomes a floor.</summary>
    private AutotuneDecision? Revert(AutotuneWindow window, PipelineSettings current)
    {
        if (_probe is not { } probe)
        {
            return null;
        }

        _probe = null;
        var backoff = _floors.Learn(probe.Setting, probe.To, _window, window.Pace);
        return Change(
            current,
            probe.Setting,
            probe.From,
            Invariant($"{WaitAbove(window)} after the probe {Describe(probe.Setting)} {probe.From} → {probe.To}"),
            $", {probe.To} not tried again for {backoff} windows");
    }

    /// <summary>
    /// A prefetch rise judged once the queue had time to fill: one that did not cut the wait is undone, and for a while
    /// prefetch does not rise and the producer counts as too slow on average. One that did stands.
    /// </summary>
    private AutotuneDecision? UndoFutileRise(AutotuneWindow window, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        if (_rise is not { } rise || _waitingWindows < WaitingForPrefetch)
        {
            return null;
        }

        _rise = null;
        if (pinned.Contains(SettingName.Prefetch) || current.Prefetch != rise.From + 1 || window.WaitFraction <= WaitLeftByUsefulRise * rise.WaitBefore)
        {
            return null;
        }

        _prefetchFutileUntil = _window + Floors.FirstBackoff;
        return Change(
            current,
            SettingName.Prefetch,
            rise.From,
            Invariant($"{WaitAbove(window)} after prefetch {rise.From} → {rise.From + 1}, no better than {rise.WaitBefore:0.0%} before"),
            $", threads rather than memory for {Floors.FirstBackoff} windows");
    }

    /// <summary>
    /// One more thread where the busiest limit is: a step's own threads, or the workers as a whole, which grow through
    /// the busiest step that sets their number. None where the bottleneck is pinned or at the cores, nor where it is
    /// not busy enough to be threads at all unless the producer is too slow on average (<see cref="SlowOnAverage"/>).
    /// </summary>
    private AutotuneDecision? AddThread(AutotuneWindow window, WorkerLoad load, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        if (load.Active.Count == 0)
        {
            return null;
        }

        var busiestStep = load.Active.MaxBy(load.BusyFraction);
        var stepBusy = load.BusyFraction(busiestStep);
        var workersBusy = load.WorkersBusyFraction;
        if (Math.Max(stepBusy, workersBusy) < SaturatedBusy && !SlowOnAverage(window))
        {
            return null;
        }

        var (step, why) = stepBusy >= workersBusy
            ? (busiestStep, Invariant($"{ThreadsOf(busiestStep)} busy {stepBusy:0%}"))
            : (WorkerSetter(window, load, current, pinned), Invariant($"workers busy {workersBusy:0%}"));
        if (step is not { } rising || !CanRise(rising, current, pinned))
        {
            return null;
        }

        var from = current.Of(rising);
        _floors.Learn(rising, from, _window, window.Pace);
        return Change(current, rising, from + 1, $"{WaitAbove(window)}, {why}");
    }

    /// <summary>
    /// Whether memory cannot be why the trainer waits: the queue was empty whenever it asked, or a prefetch rise lately
    /// did not cut the wait.
    /// </summary>
    private bool SlowOnAverage(AutotuneWindow window) => window.ReadyBatches < QueueHeld || _window < _prefetchFutileUntil;

    /// <summary>The busiest running step whose count sets the workers' number and may rise; null if none may.</summary>
    private SettingName? WorkerSetter(AutotuneWindow window, WorkerLoad load, PipelineSettings current, IReadOnlySet<SettingName> pinned) =>
        load.Active
            .Where(s => current.Of(s) == load.Workers && CanRise(s, current, pinned))
            .OrderByDescending(window.Busy)
            .Select(s => (SettingName?)s)
            .FirstOrDefault();

    /// <summary>
    /// One more prefetched batch when the queue holds batches most of the time yet runs dry: the producer keeps up on
    /// average and a deeper queue bridges its bursts. A queue that is empty whenever asked means a producer too slow on
    /// average, which memory does not help.
    /// </summary>
    private AutotuneDecision? AddPrefetch(AutotuneWindow window, WorkerLoad load, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        var from = current.Prefetch;
        if (pinned.Contains(SettingName.Prefetch) || from >= limits.MaxPrefetch || SlowOnAverage(window) || _waitingWindows < WaitingForPrefetch)
        {
            return null;
        }

        _rise = new PrefetchRise(from, window.WaitFraction);
        var busiest = load.Active.Count == 0 ? "no worker busy" : Invariant($"workers busy {load.WorkersBusyFraction:0%}");
        _floors.Learn(SettingName.Prefetch, from, _window, window.Pace);
        return Change(
            current,
            SettingName.Prefetch,
            from + 1,
            Invariant($"{WaitAbove(window)}, {busiest}, queue held {window.ReadyBatches:0.0} batches on average"));
    }

    /// <summary>
    /// The lightest step whose threads the busy times say can come down comes down, as far as they say; lighter steps
    /// first, so that the heaviest is the one left setting the workers' number.
    /// </summary>
    private AutotuneDecision? ProbeThreads(AutotuneWindow window, WorkerLoad load, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        foreach (var step in load.Active.Where(s => !pinned.Contains(s)).OrderBy(load.Demand))
        {
            var from = current.Of(step);
            var to = Math.Min(from - 1, load.Needed(step, TargetBusy));
            if (_floors.Holding(step, _window) is { } floor)
            {
                to = Math.Max(to, floor + 1);
            }

            if (to >= SettingLimits.MinThreads && to < from && load.PredictedBusy(step, to) <= MaxProbeBusy)
            {
                return StartProbe(
                    current,
                    step,
                    to,
                    Invariant($"{WaitWithin(window)}, {Work(step)} needs {load.Demand(step):0.00} threads and all steps {load.TotalDemand:0.00}"));
            }
        }

        return null;
    }

    /// <summary>With the threads as few as they go, one batch less prefetch.</summary>
    private AutotuneDecision? ProbePrefetch(AutotuneWindow window, PipelineSettings current, IReadOnlySet<SettingName> pinned)
    {
        var to = current.Prefetch - 1;
        var floor = _floors.Holding(SettingName.Prefetch, _window) ?? 0;
        if (pinned.Contains(SettingName.Prefetch) || to < SettingLimits.MinPrefetch || to <= floor)
        {
            return null;
        }

        return StartProbe(current, SettingName.Prefetch, to, Invariant($"{WaitWithin(window)}, queue held {window.ReadyBatches:0.0} batches on average"));
    }

    private AutotuneDecision StartProbe(PipelineSettings current, SettingName setting, int to, string why)
    {
        _probe = new Probe(setting, current.Of(setting), to);
        return Change(current, setting, to, why, " (probe)");
    }

    private bool CanRise(SettingName step, PipelineSettings current, IReadOnlySet<SettingName> pinned) =>
        !pinned.Contains(step) && current.Of(step) < limits.Cores;

    /// <summary>The decision to set <paramref name="setting"/> to <paramref name="to"/>, its reason "why: setting from → to[note]".</summary>
    private static AutotuneDecision Change(PipelineSettings current, SettingName setting, int to, string why, string note = "") =>
        new(setting, current.With(setting, to), Invariant($"{why}: {Describe(setting)} {current.Of(setting)} → {to}{note}"));

    private static string WaitAbove(AutotuneWindow window) =>
        Invariant($"input wait {window.WaitFraction:0.0%} of step time > {MaxWaitFraction:0%}");

    private static string WaitWithin(AutotuneWindow window) =>
        Invariant($"input wait {window.WaitFraction:0.0%} of step time ≤ {MaxWaitFraction:0%} for {Patience} windows");

    private static string Describe(SettingName setting) => setting switch
    {
        SettingName.ReadThreads => "read threads",
        SettingName.DecodeThreads => "decode threads",
        SettingName.AugmentThreads => "augment threads",
        _ => "prefetch",
    };

    /// <summary>The threads of a step, as the log calls them.</summary>
    private static string ThreadsOf(SettingName step) => step switch
    {
        SettingName.ReadThreads => "readers",
        SettingName.DecodeThreads => "decoders",
        _ => "warpers",
    };

    /// <summary>The work of a step, as the log calls it.</summary>
    private static string Work(SettingName step) => step switch
    {
        SettingName.ReadThreads => "reading",
        SettingName.DecodeThreads => "decoding",
        _ => "warping",
    };

    /// <summary>A setting moved down, on trial until <see cref="Patience"/> windows pass without waiting.</summary>
    private sealed record Probe(SettingName Setting, int From, int To);

    /// <summary>Prefetch raised by one batch from <paramref name="From"/> for bursts, on trial until the queue has had time to fill: the wait must fall below the one that called for it.</summary>
    private sealed record PrefetchRise(int From, double WaitBefore);
}
