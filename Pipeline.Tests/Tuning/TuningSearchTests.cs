using System.Diagnostics;
using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Tests.Tuning;

/// <summary>
/// What tune tries and chooses, with made-up measurements on a made-up clock: each trial "takes" a fixed time and
/// gives figures the test decides, so that the order, the pruning, the budget and the choice are checked without timing anything.
/// </summary>
public sealed class TuningSearchTests
{
    private static readonly TrialLength Length = TrialLength.Default;

    [Fact]
    public async Task On_the_cpu_the_batch_is_the_smallest_within_2_percent_of_the_fastest_and_growing_stops_when_images_per_second_falls_twice()
    {
        var speeds = new Dictionary<int, double> { [8] = 100, [16] = 197, [32] = 200, [64] = 150, [128] = 140, [256] = 300 };
        var search = new FakeSearch([8, 16, 32, 64, 128, 256], largestFits: false, maxThreads: 2, settings => Figures(speeds[settings.BatchSize], 0.001));

        var result = await search.RunAsync();

        // The batch's own setting is measured again before the input settings: the fastest of several noisy trials is likely a lucky one.
        Assert.Equal([8, 16, 32, 64, 128, 16], search.Tried.Where(s => s is { DecodeThreads: 2, Prefetch: 4, Cache: CacheMode.Off }).Select(s => s.BatchSize));
        Assert.Equal(16, result.Chosen.Settings.BatchSize);
        Assert.Contains("batch 256: images/s fell at the last two sizes", result.NotTried);
        Assert.StartsWith("batch 16: the smallest within 2 % of the most images/s", result.Reasons[0]);
    }

    [Fact]
    public async Task On_a_gpu_the_batch_is_the_largest_that_fits_and_larger_ones_are_not_tried()
    {
        var search = new FakeSearch([8, 16, 32, 64, 128], largestFits: true, maxThreads: 4, settings =>
            settings.BatchSize >= 64 ? null : Figures(1000.0 / settings.BatchSize, 0));

        var result = await search.RunAsync();

        Assert.Equal(TrialOutcome.OutOfMemory, result.Trials.Single(trial => trial.Settings.BatchSize == 64).Outcome);
        Assert.DoesNotContain(search.Tried, settings => settings.BatchSize == 128);
        Assert.Equal(32, result.Chosen.Settings.BatchSize);
        Assert.Contains("batch 128: batch 64 did not fit in device memory", result.NotTried);

        // Fitting is all a GPU's batch trials show, so they run just their steps, and their speed is no yardstick for the input settings.
        Assert.Equal([TrialLength.Fit, TrialLength.Fit, TrialLength.Fit, TrialLength.Fit], search.Lengths[..4]);
        Assert.All(search.Lengths[4..], length => Assert.Equal(TrialLength.Default, length));
        Assert.Equal(TrialPhase.Input, result.Chosen.Phase);
    }

    [Fact]
    public async Task Input_settings_go_from_the_cheapest_skip_thread_counts_that_cannot_keep_up_and_end_at_the_first_that_keeps_up()
    {
        // Without a cache one thread leaves the steps waiting 60 % of the time: about 1 / 0.4 = 3 threads would keep up. With
        // a memory cache one thread keeps up from a prefetch of 2.
        var search = new FakeSearch([8], largestFits: false, maxThreads: 8, settings => Figures(100, (settings.DecodeThreads, settings.Cache, settings.Prefetch) switch
        {
            (8, CacheMode.Off, 4) => 0,
            (1, CacheMode.Off, _) => 0.6,
            (1, CacheMode.Memory, 1) => 0.02,
            (1, CacheMode.Memory, _) => 0.005,
            _ => 0,
        }));

        var result = await search.RunAsync();

        Assert.Equal(
            [new(8, 8, 4, CacheMode.Off, 4), new(8, 8, 4, CacheMode.Off, 4), new(8, 1, 8, CacheMode.Off, 4), new(8, 1, 8, CacheMode.Memory, 4), new(8, 1, 1, CacheMode.Memory, 4), new TrialSettings(8, 1, 2, CacheMode.Memory, 4)],
            search.Tried);
        Assert.Equal(new TrialSettings(8, 1, 2, CacheMode.Memory, 4), result.Chosen.Settings);
        Assert.StartsWith("batch 8, 1 thread, prefetch 2, cache memory: the cheapest that kept input wait at or below 1 %", result.Reasons[1]);
        Assert.Empty(result.NotTried);
    }

    [Fact]
    public async Task A_thread_count_that_waits_is_passed_over_up_to_the_count_its_wait_calls_for()
    {
        var search = new FakeSearch([8], largestFits: false, maxThreads: 8, settings => Figures(100, settings.DecodeThreads switch
        {
            1 => 0.6,
            2 => 0.3,
            _ => 0,
        }));

        var result = await search.RunAsync();

        // One thread waited 60 % of the time with every cache: about 1 / 0.4 = 2.5, so 3 threads are needed, and 2 are not tried.
        Assert.DoesNotContain(search.Tried, settings => settings.DecodeThreads == 2);
        Assert.Equal(new TrialSettings(8, 3, 1, CacheMode.Off, 4), result.Chosen.Settings);
    }

    [Fact]
    public async Task A_setting_slower_than_the_best_beyond_2_percent_does_not_keep_up_even_without_waiting()
    {
        // The batch search's trial, with two threads and no cache, sets the best; one thread without a cache falls 10 % short of it.
        var search = new FakeSearch([8], largestFits: false, maxThreads: 2, settings => Figures(settings is { DecodeThreads: 1, Cache: CacheMode.Off } ? 90 : 100, 0));

        var result = await search.RunAsync();

        Assert.Equal(new TrialSettings(8, 1, 1, CacheMode.Memory, 4), result.Chosen.Settings);
    }

    [Fact]
    public async Task Where_no_setting_keeps_input_wait_down_the_one_that_waited_least_is_chosen_and_said_so()
    {
        var search = new FakeSearch([8], largestFits: false, maxThreads: 2, settings => Figures(100, 0.05 - 0.01 * settings.DecodeThreads - 0.001 * settings.Prefetch));

        var result = await search.RunAsync();

        Assert.Equal(new TrialSettings(8, 2, 8, CacheMode.Off, 4), result.Chosen.Settings);
        Assert.EndsWith("no setting tried kept input wait at or below 1 %, so the one that waited least", result.Reasons[1]);
    }

    [Fact]
    public async Task What_the_budget_leaves_no_room_for_is_not_tried_and_said()
    {
        // Each trial takes 10 s of a 31 s budget: the batch search may take half (one trial), the input search two more.
        var search = new FakeSearch([8, 16, 32], largestFits: false, maxThreads: 2, _ => Figures(100, 0.5), trialTime: TimeSpan.FromSeconds(10), budget: TimeSpan.FromSeconds(31));

        var result = await search.RunAsync();

        Assert.Equal(3, result.Trials.Count);
        Assert.Equal(TimeSpan.FromSeconds(30), search.Now);
        Assert.Equal(
            ["batch 16, 32: the batch search may take half the budget, and these would run past it",
                "input settings from batch 8, 1 thread, prefetch 8, cache memory on, up to 2 threads: the budget ran out"],
            result.NotTried);
    }

    [Fact]
    public async Task A_setting_measured_twice_counts_with_its_slower_figure()
    {
        // The batch's trial was lucky (300); measured again it gives 200, which sets the bar: one thread without a cache keeps up.
        var batchTrials = 0;
        var search = new FakeSearch([8], largestFits: false, maxThreads: 2, settings =>
            Figures(settings is { DecodeThreads: 2, Prefetch: 4 } ? (batchTrials++ == 0 ? 300 : 200) : 199, 0));

        var result = await search.RunAsync();

        Assert.Equal(new TrialSettings(8, 1, 1, CacheMode.Off, 4), result.Chosen.Settings);
        Assert.Equal(200, result.Best);
    }

    [Fact]
    public async Task A_trial_the_budget_cuts_short_is_not_used_and_what_followed_is_said()
    {
        var clock = Stopwatch.StartNew();
        var plan = Plan([8, 16], largestFits: false, maxThreads: 1, TimeSpan.FromSeconds(0.5)) with { Length = new TrialLength(TimeSpan.Zero, 0, TimeSpan.Zero, 0) };
        var measured = 0;
        var search = new TuningSearch(plan, async (_, _, token) =>
        {
            if (measured++ == 0)
            {
                return Figures(100, 0);
            }

            await Task.Delay(Timeout.Infinite, token);
            return null;
        }, () => clock.Elapsed, TextWriter.Null);

        var result = await search.RunAsync(CancellationToken.None);

        Assert.Equal(TrialOutcome.CutShort, result.Trials[1].Outcome);
        Assert.Null(result.Trials[1].Figures);
        Assert.Equal(1, result.Chosen.Number);
        Assert.Contains(result.NotTried, line => line.EndsWith("the budget ran out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_one_finished_trial_there_is_no_setting_to_give()
    {
        var oom = new FakeSearch([8, 16], largestFits: true, maxThreads: 1, _ => null);
        var error = await Assert.ThrowsAsync<CommandLineError>(oom.RunAsync);
        Assert.Equal("Even batch 8 does not fit in the device's memory with this model and image size.", error.Message);

        var clock = Stopwatch.StartNew();
        var never = new TuningSearch(Plan([8], false, 1, TimeSpan.FromSeconds(0.2)), async (_, _, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return null;
        }, () => clock.Elapsed, TextWriter.Null);
        error = await Assert.ThrowsAsync<CommandLineError>(() => never.RunAsync(CancellationToken.None));
        Assert.Equal("No trial finished within --budget-seconds 0; give it more time.", error.Message);
    }

    private static TuningSearch.Plan Plan(int[] batches, bool largestFits, int maxThreads, TimeSpan budget) =>
        new(batches, largestFits, maxThreads, 4, 1000, budget, Length, settings => settings.Prefetch * 1000L);

    /// <summary>Figures of a trial that took the default lengths, one step a tenth of a second.</summary>
    private static TrialFigures Figures(double imagesPerSecond, double inputWait) =>
        new(imagesPerSecond, inputWait, 1.5, 0.1, 0, Length.Warmup.TotalSeconds, Length.Measure.TotalSeconds, 50);

    /// <summary>A search whose trials give what <c>figures</c> says and move a fake clock on by <c>trialTime</c> each.</summary>
    private sealed class FakeSearch(int[] batches, bool largestFits, int maxThreads, Func<TrialSettings, TrialFigures?> figures, TimeSpan? trialTime = null, TimeSpan? budget = null)
    {
        public List<TrialSettings> Tried { get; } = [];

        public List<TrialLength> Lengths { get; } = [];

        public TimeSpan Now { get; private set; }

        public Task<TuningSearch.Result> RunAsync()
        {
            var search = new TuningSearch(Plan(batches, largestFits, maxThreads, budget ?? TimeSpan.FromMinutes(10)), (settings, length, _) =>
            {
                Tried.Add(settings);
                Lengths.Add(length);
                Now += trialTime ?? TimeSpan.FromSeconds(5);
                return Task.FromResult(figures(settings));
            }, () => Now, TextWriter.Null);
            return search.RunAsync(CancellationToken.None);
        }
    }
}
