using System.Globalization;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>
/// What `catsdogs tune` tries, in which order, and what it makes of the results; <see cref="Measure"/> runs each trial.
/// <para>
/// The batch first, with train's default input settings but no cache (a fresh pipeline's cache would need filling for
/// every size): powers of two upward, on a GPU until one no longer fits in device memory (the largest that fits is the
/// batch, and as only fitting counts, these trials run just their steps: <see cref="TrialLength.Fit"/>), on the CPU
/// until images/s has fallen at two sizes in a row (the fastest is the batch, the smallest within
/// <see cref="ThroughputTolerance"/> of it where several tie, as run-to-run noise is about that large). This half of
/// the search may take half the budget.
/// </para>
/// <para>
/// Then the input settings at that batch. On the CPU, the batch's own setting is measured again first: the fastest of
/// several noisy trials is likely a lucky one, and a setting measured twice counts with its slower figure. Then, from
/// the cheapest (<see cref="TrialSettings.Cheaper"/>): for each thread count upward and each cache from none to disk,
/// the deepest prefetch first. If even that waits more than
/// <see cref="InputWaitLimit"/>, the workers cannot keep up with this cache, which no shallower prefetch changes; how
/// long they made the steps wait says how many threads that cache would need, and the counts below are passed over.
/// If it keeps up, the shallower prefetches are measured from 1 upward, and the first that keeps input wait at or
/// below <see cref="InputWaitLimit"/> with images/s within <see cref="ThroughputTolerance"/> of the best seen at the
/// batch ends the search. What the budget leaves untried is said.
/// </para>
/// </summary>
internal sealed class TuningSearch(TuningSearch.Plan plan, TuningSearch.Measure measure, Func<TimeSpan> elapsed, TextWriter log)
{
    /// <summary>The share of the steps' time spent waiting for input that a setting may leave.</summary>
    public const double InputWaitLimit = 0.01;

    /// <summary>How far below the best images/s a setting may be and still count as as fast.</summary>
    public const double ThroughputTolerance = 0.02;

    /// <summary>Train's own default, which the batch search keeps.</summary>
    private const int DefaultPrefetch = 4;

    /// <summary>A trial expected to take longer than this says so when it starts (a cache to fill on a large data set).</summary>
    private static readonly TimeSpan LongTrial = TimeSpan.FromSeconds(15);

    private static readonly int[] Prefetches = [1, 2, 4, 8];

    private readonly List<Trial> _trials = [];
    private readonly List<string> _notTried = [];

    /// <summary>Runs one trial; null where the batch did not fit in device memory. Cancelled when the budget runs out.</summary>
    public delegate Task<TrialFigures?> Measure(TrialSettings settings, TrialLength length, CancellationToken cancellationToken);

    /// <param name="Batches">The batch sizes to try, ascending.</param>
    /// <param name="LargestFits">On a GPU: the batch is the largest that fits; on the CPU, the fastest.</param>
    /// <param name="MaxThreads">The most decode threads to try (the cores).</param>
    /// <param name="Images">The data set's images, which a cache's first pass reads.</param>
    /// <param name="Length">How long a trial runs, but for a batch trial on a GPU (<see cref="TrialLength.Fit"/>).</param>
    /// <param name="MemoryBytes">Host memory a setting takes (<see cref="TrialSettings.MemoryBytes"/>).</param>
    public sealed record Plan(
        IReadOnlyList<int> Batches, bool LargestFits, int MaxThreads, int QueuePerThread, int Images, TimeSpan Budget, TrialLength Length, Func<TrialSettings, long> MemoryBytes);

    /// <param name="NotTried">What the search could not try, each with why.</param>
    /// <param name="Reasons">Why the batch, then why the input settings, were chosen.</param>
    /// <param name="Best">The best images/s counted at the chosen batch, which the settings were held to (<see cref="Yardstick"/>).</param>
    public sealed record Result(IReadOnlyList<Trial> Trials, IReadOnlyList<string> NotTried, Trial Chosen, IReadOnlyList<string> Reasons, double Best);

    public async Task<Result> RunAsync(CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromTicks(Math.Max(1, (plan.Budget - elapsed()).Ticks)));
        await SearchBatchAsync(budget.Token, cancellationToken);
        var (batch, batchReason) = ChooseBatch();
        await SearchInputAsync(batch, budget.Token, cancellationToken);
        var (chosen, inputReason) = ChooseInput(batch);
        return new Result(_trials, _notTried, chosen, [batchReason, inputReason], Yardstick(batch));
    }

    private async Task SearchBatchAsync(CancellationToken budget, CancellationToken cancellationToken)
    {
        var sizes = plan.Batches;
        for (var i = 0; i < sizes.Count; i++)
        {
            var settings = new TrialSettings(sizes[i], plan.MaxThreads, DefaultPrefetch, CacheMode.Off, plan.QueuePerThread);
            if (!Fits(TrialPhase.Batch, settings, plan.Budget / 2))
            {
                NotTried($"batch {Join(sizes.Skip(i))}", "the batch search may take half the budget, and these would run past it");
                return;
            }

            var trial = await RunAsync(TrialPhase.Batch, settings, budget, cancellationToken);
            var larger = Join(sizes.Skip(i + 1));
            var stop = trial.Outcome switch
            {
                TrialOutcome.CutShort => "the budget ran out",
                TrialOutcome.OutOfMemory => $"batch {sizes[i]} did not fit in device memory",
                _ when !plan.LargestFits && FellTwice() => "images/s fell at the last two sizes",
                _ => null,
            };
            if (stop is not null)
            {
                if (larger.Length > 0)
                {
                    NotTried($"batch {larger}", stop);
                }

                return;
            }
        }
    }

    /// <summary>Whether the last two batch sizes both came out slower than the best, beyond the noise.</summary>
    private bool FellTwice()
    {
        var measured = Measured(TrialPhase.Batch).ToList();
        var best = measured.Max(trial => trial.ImagesPerSecond);
        return measured.Count >= 3 && measured[^2..].All(trial => trial.ImagesPerSecond < (1 - ThroughputTolerance) * best);
    }

    private (int Batch, string Reason) ChooseBatch()
    {
        var measured = Measured(TrialPhase.Batch).ToList();
        if (measured.Count == 0)
        {
            throw new CommandLineError(_trials.FirstOrDefault()?.Outcome == TrialOutcome.OutOfMemory
                ? $"Even batch {plan.Batches[0]} does not fit in the device's memory with this model and image size."
                : $"No trial finished within --budget-seconds {plan.Budget.TotalSeconds:F0}; give it more time.");
        }

        if (plan.LargestFits)
        {
            var largest = measured.MaxBy(trial => trial.Settings.BatchSize)!;
            return (largest.Settings.BatchSize, $"batch {largest.Settings.BatchSize}: the largest that fit in device memory of those tried");
        }

        var best = measured.MaxBy(trial => trial.ImagesPerSecond)!;
        var chosen = measured.Where(trial => trial.ImagesPerSecond >= (1 - ThroughputTolerance) * best.ImagesPerSecond).MinBy(trial => trial.Settings.BatchSize)!;
        return (chosen.Settings.BatchSize, chosen == best
            ? string.Create(CultureInfo.InvariantCulture, $"batch {chosen.Settings.BatchSize}: the most images/s ({best.ImagesPerSecond:F0})")
            : string.Create(CultureInfo.InvariantCulture,
                $"batch {chosen.Settings.BatchSize}: the smallest within {ThroughputTolerance:P0} of the most images/s ({chosen.ImagesPerSecond:F0} against {best.ImagesPerSecond:F0} at batch {best.Settings.BatchSize})"));
    }

    private async Task SearchInputAsync(int batch, CancellationToken budget, CancellationToken cancellationToken)
    {
        // On the CPU the batch won among several noisy trials, so its figure is likely a lucky one (the winner's curse):
        // measured again, its setting counts with the slower of the two, a fairer bar for the input settings.
        if (!plan.LargestFits)
        {
            var won = Timed(batch).Single().Settings;
            if (Fits(TrialPhase.Input, won, plan.Budget))
            {
                await RunAsync(TrialPhase.Input, won, budget, cancellationToken);
            }
        }

        // The fewest threads worth trying with each cache, raised by each trial that showed the workers could not keep up.
        var fewest = TrialSettings.CachesByCost.ToDictionary(cache => cache, _ => 1);
        for (var threads = 1; threads <= plan.MaxThreads; threads++)
        {
            foreach (var cache in TrialSettings.CachesByCost.Where(cache => threads >= fewest[cache]))
            {
                var deepest = new TrialSettings(batch, threads, Prefetches[^1], cache, plan.QueuePerThread);
                var trial = await TryAsync(deepest, budget, cancellationToken);
                if (trial is null or { Outcome: TrialOutcome.CutShort })
                {
                    NotTried($"input settings from {deepest} on, up to {plan.MaxThreads} threads", "the budget ran out");
                    return;
                }

                if (trial.Figures is not { } figures)
                {
                    continue;
                }

                if (figures.InputWait > InputWaitLimit)
                {
                    // At a share w of the time waited, the workers delivered about 1 - w of what the steps took: the same
                    // cache needs about threads / (1 - w) of them.
                    var needed = figures.InputWait >= 1 ? plan.MaxThreads + 1 : (int)Math.Min(plan.MaxThreads + 1, Math.Ceiling(threads / (1 - figures.InputWait)));
                    fewest[cache] = Math.Max(threads + 1, needed);
                    continue;
                }

                if (!Keeps(trial))
                {
                    continue;
                }

                foreach (var prefetch in Prefetches[..^1])
                {
                    var measured = await TryAsync(deepest with { Prefetch = prefetch }, budget, cancellationToken);
                    if (measured is null or { Outcome: TrialOutcome.CutShort })
                    {
                        NotTried($"prefetch {Join(Prefetches[..^1].Where(p => p >= prefetch))} at {threads} thread{(threads == 1 ? "" : "s")}, cache {Spelled(cache)}", "the budget ran out");
                        return;
                    }

                    if (measured.Figures is not null && Keeps(measured))
                    {
                        return;
                    }
                }

                return;
            }
        }
    }

    /// <summary>The trial of these settings: one measured earlier, or a new one; null where the budget has no room for it.</summary>
    private async Task<Trial?> TryAsync(TrialSettings settings, CancellationToken budget, CancellationToken cancellationToken)
    {
        if (_trials.FirstOrDefault(trial => trial.Settings == settings && trial.Figures is not null && !FitOnly(trial)) is { } earlier)
        {
            return earlier;
        }

        return Fits(TrialPhase.Input, settings, plan.Budget) ? await RunAsync(TrialPhase.Input, settings, budget, cancellationToken) : null;
    }

    private (Trial Chosen, string Reason) ChooseInput(int batch)
    {
        var counted = Counted(batch);
        if (counted.Count == 0)
        {
            var fitted = _trials.Last(trial => trial.Figures is not null && trial.Settings.BatchSize == batch);
            return (fitted, $"{fitted.Settings}: the budget left no time to measure input settings, so those the batch was tried with");
        }

        var best = Yardstick(batch);
        var limits = string.Create(CultureInfo.InvariantCulture, $"input wait at or below {InputWaitLimit:P0}");
        if (counted.Where(trial => Keeps(trial, best)).Order(TrialComparer).FirstOrDefault() is { } cheapest)
        {
            return (cheapest, string.Create(CultureInfo.InvariantCulture,
                $"{cheapest.Settings}: the cheapest that kept {limits} with images/s within {ThroughputTolerance:P0} of the best at this batch ({best:F0})"));
        }

        if (counted.Where(trial => trial.Figures!.InputWait <= InputWaitLimit).MaxBy(trial => trial.ImagesPerSecond) is { } fastest)
        {
            return (fastest, $"{fastest.Settings}: none that kept {limits} came within {ThroughputTolerance.ToString("P0", CultureInfo.InvariantCulture)} of the best images/s, so the fastest of them");
        }

        var least = counted.MinBy(trial => trial.Figures!.InputWait)!;
        return (least, $"{least.Settings}: no setting tried kept {limits}, so the one that waited least");
    }

    private static readonly IComparer<Trial> TrialComparer = Comparer<Trial>.Create((a, b) => TrialSettings.Cheaper.Compare(a.Settings, b.Settings));

    /// <summary>Whether a measured trial's setting keeps up, against the best images/s measured so far at its batch.</summary>
    private bool Keeps(Trial trial)
    {
        var batch = trial.Settings.BatchSize;
        return Keeps(Counted(batch).Single(counted => counted.Settings == trial.Settings), Yardstick(batch));
    }

    private static bool Keeps(Trial trial, double best) =>
        trial.Figures is { } figures && figures.InputWait <= InputWaitLimit && figures.ImagesPerSecond >= (1 - ThroughputTolerance) * best;

    /// <summary>The trials at <paramref name="batch"/> whose figures say how fast it runs.</summary>
    private IEnumerable<Trial> Timed(int batch) => _trials.Where(trial => trial.Figures is not null && trial.Settings.BatchSize == batch && !FitOnly(trial));

    /// <summary>Of each setting timed at <paramref name="batch"/>, the trial that counts: its slowest, where it was measured more than once.</summary>
    private List<Trial> Counted(int batch) => Timed(batch).GroupBy(trial => trial.Settings).Select(trials => trials.MinBy(trial => trial.ImagesPerSecond)!).ToList();

    /// <summary>The best images/s counted at <paramref name="batch"/>, which a setting must come within <see cref="ThroughputTolerance"/> of; 0 where none was timed.</summary>
    private double Yardstick(int batch) => Counted(batch).Select(trial => trial.ImagesPerSecond).DefaultIfEmpty(0).Max();

    private async Task<Trial> RunAsync(TrialPhase phase, TrialSettings settings, CancellationToken budget, CancellationToken cancellationToken)
    {
        var number = _trials.Count + 1;
        var estimate = Estimate(settings, LengthOf(phase));
        if (estimate > LongTrial)
        {
            log.WriteLine($"{Clock()} trial {number}, {settings}: about {estimate.TotalSeconds:F0} s{(settings.Cache == CacheMode.Off ? "" : ", filling the cache first")}");
        }

        var started = elapsed();
        TrialFigures? figures = null;
        TrialOutcome outcome;
        try
        {
            figures = await measure(settings, LengthOf(phase), budget);
            outcome = figures is null ? TrialOutcome.OutOfMemory : TrialOutcome.Measured;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            outcome = TrialOutcome.CutShort;
        }

        var trial = new Trial(number, phase, settings, outcome, (elapsed() - started).TotalSeconds, plan.MemoryBytes(settings), figures);
        _trials.Add(trial);
        log.WriteLine($"{Clock()} trial {number}, {settings}: {Describe(trial)}");
        return trial;
    }

    private string Clock() => string.Create(CultureInfo.InvariantCulture, $"[{elapsed().TotalSeconds,4:F0} of {plan.Budget.TotalSeconds:F0} s]");

    private static string Describe(Trial trial) => trial.Figures is { } figures
        ? string.Create(CultureInfo.InvariantCulture, $"{figures.ImagesPerSecond:F0} images/s, input wait {figures.InputWait:P1}, {figures.CpuCores:F2} cores")
        : trial.Outcome == TrialOutcome.OutOfMemory ? "out of device memory" : "cut short: the budget ran out";

    /// <summary>Whether a trial of <paramref name="settings"/> should end before <paramref name="limit"/>; the first one always runs.</summary>
    private bool Fits(TrialPhase phase, TrialSettings settings, TimeSpan limit) => _trials.Count == 0 || elapsed() + Estimate(settings, LengthOf(phase)) <= limit;

    private TrialLength LengthOf(TrialPhase phase) => plan.LargestFits && phase == TrialPhase.Batch ? TrialLength.Fit : plan.Length;

    /// <summary>A batch trial on a GPU, which ran just its steps: its figures show that the batch fits, not how fast it runs.</summary>
    private bool FitOnly(Trial trial) => plan.LargestFits && trial.Phase == TrialPhase.Batch;

    /// <summary>
    /// How long a trial should take, from those measured: the set-up the last one took, a cache's first pass, and the
    /// warm-up and measured stretches, each at least its steps long at the step time of the nearest batch measured.
    /// </summary>
    private TimeSpan Estimate(TrialSettings settings, TrialLength length)
    {
        var measured = _trials.Where(trial => trial.Figures is not null).ToList();
        if (measured.Count == 0)
        {
            return length.Warmup + length.Measure;
        }

        // A step's time grows about in proportion to its images.
        var nearest = measured.MinBy(trial => Math.Abs(Math.Log2((double)trial.Settings.BatchSize / settings.BatchSize)))!;
        var step = nearest.Figures!.StepSeconds * settings.BatchSize / nearest.Settings.BatchSize;
        var last = measured[^1].Figures!;
        var setup = Math.Max(0, measured[^1].Seconds - last.FillSeconds - last.WarmupSeconds - last.MeasuredSeconds);
        return TimeSpan.FromSeconds(setup + FillSeconds(settings, measured) +
            Math.Max(length.Warmup.TotalSeconds, length.WarmupSteps * step) + Math.Max(length.Measure.TotalSeconds, length.MeasureSteps * step) + step);
    }

    /// <summary>A cache's first pass: as long as the last one with this cache took, scaled to these threads, else the decoding cost per image measured without one.</summary>
    private double FillSeconds(TrialSettings settings, List<Trial> measured)
    {
        if (settings.Cache == CacheMode.Off)
        {
            return 0;
        }

        if (measured.LastOrDefault(trial => trial.Settings.Cache == settings.Cache) is { } filled)
        {
            return filled.Figures!.FillSeconds * filled.Settings.DecodeThreads / settings.DecodeThreads;
        }

        var decoding = measured.LastOrDefault(trial => trial.Settings.Cache == CacheMode.Off)?.Figures?.InputMicrosecondsPerImage ?? 0;
        return plan.Images * decoding / 1e6 / settings.DecodeThreads;
    }

    private IEnumerable<Trial> Measured(TrialPhase phase) => _trials.Where(trial => trial.Phase == phase && trial.Figures is not null);

    private void NotTried(string what, string why)
    {
        _notTried.Add($"{what}: {why}");
        log.WriteLine($"{Clock()} not tried: {what} ({why})");
    }

    private static string Join(IEnumerable<int> values) => string.Join(", ", values);

    private static string Spelled(CacheMode cache) => cache.ToString().ToLowerInvariant();
}
