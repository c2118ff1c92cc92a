using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Autotune;

namespace CatsDogs.Tests.Tuning;

public sealed class AutotunerTests
{
    /// <summary>2.5 threads' worth of work per 0.1 s step, mostly decoding: 3 workers keep up, 2 cannot.</summary>
    private static readonly SimulatedWorkload DecodeBound = new() { ReadSeconds = 0.005, DecodeSeconds = 0.2, AugmentSeconds = 0.045 };

    /// <summary>1.5 threads' worth: 2 workers keep up.</summary>
    private static readonly SimulatedWorkload TwoThreadsWorth = new() { ReadSeconds = 0.005, DecodeSeconds = 0.12, AugmentSeconds = 0.025 };

    /// <summary>1 thread's worth of work per step, but every 10th batch the producer stalls for 3 steps' time.</summary>
    private static readonly SimulatedWorkload Bursty = new()
    {
        ReadSeconds = 0.005, DecodeSeconds = 0.08, AugmentSeconds = 0.015, StallEvery = 10, StallSeconds = 0.3,
    };

    private static readonly HashSet<SettingName> NothingPinned = [];

    [Fact]
    public void From_one_thread_it_rises_to_the_fewest_that_keep_up_and_stays()
    {
        var run = Tune(DecodeBound, Settings(1, prefetch: 4), windows: 250);

        Assert.Equal(Settings(decode: 3, read: 1, augment: 1, prefetch: 1), run.Final);
        AssertFewest(DecodeBound, run.Final);
        Assert.True(run.ChangesAfter(50) == 0, run.Log);
        Assert.Equal(
            "input wait 154.9% of step time > 1%, workers busy 98%: decode threads 1 → 2",
            run.Decisions[0].Decision.Reason);
    }

    [Fact]
    public void From_every_core_it_comes_down_to_the_fewest_that_keep_up_and_stays()
    {
        var run = Tune(TwoThreadsWorth, Settings(8, prefetch: 4), windows: 250);

        Assert.Equal(Settings(decode: 2, read: 1, augment: 1, prefetch: 1), run.Final);
        AssertFewest(TwoThreadsWorth, run.Final);
        Assert.True(run.ChangesAfter(50) == 0, run.Log);
        Assert.All(run.Decisions, d => Assert.EndsWith("(probe)", d.Decision.Reason));
    }

    [Fact]
    public void A_faster_trainer_gets_more_threads_and_a_slower_one_fewer_again()
    {
        var slow = new SimulatedWorkload { ReadSeconds = 0.005, DecodeSeconds = 0.215, AugmentSeconds = 0.03 };
        var fast = slow with { StepSeconds = 0.06 };
        var input = new SimulatedInput(slow);
        var tuner = new Autotuner(new SettingLimits(8, 16));

        var first = Tune(input, tuner, Settings(1, prefetch: 4), 100, NothingPinned);
        input.Workload = fast;
        var faster = Tune(input, tuner, first.Final, 100, NothingPinned);
        input.Workload = slow;
        var slower = Tune(input, tuner, faster.Final, 100, NothingPinned);

        Assert.Equal(Settings(decode: 3, read: 1, augment: 1, prefetch: 1), first.Final);
        Assert.Equal(Settings(decode: 5, read: 1, augment: 1, prefetch: 1), faster.Final);
        AssertFewest(fast, faster.Final);
        Assert.True(faster.ChangesAfter(20) == 0, faster.Log);
        Assert.Equal(first.Final, slower.Final);
        Assert.True(slower.ChangesAfter(20) == 0, slower.Log);
    }

    [Fact]
    public void A_producer_too_slow_at_every_core_gets_the_cores_and_no_more_memory()
    {
        var workload = new SimulatedWorkload { ReadSeconds = 0.02, DecodeSeconds = 0.9, AugmentSeconds = 0.08, Cores = 4 };
        var limits = new SettingLimits(4, 6);

        var run = Tune(new SimulatedInput(workload), new Autotuner(limits), Settings(1, prefetch: 2), 200, NothingPinned);

        Assert.Equal(Settings(decode: 4, read: 1, augment: 1, prefetch: 2), run.Final);
        Assert.True(SimulatedInput.SteadyWaitFraction(workload, run.Final) > Autotuner.MaxWaitFraction);
        Assert.True(run.ChangesAfter(10) == 0, run.Log);
        Assert.All(run.Settings, s => AssertWithin(limits, s));
    }

    [Fact]
    public void Bursts_too_long_for_the_memory_cap_take_prefetch_to_the_cap_and_no_further()
    {
        var workload = Bursty with { StallSeconds = 0.6 };
        var limits = new SettingLimits(8, 3);

        var run = Tune(new SimulatedInput(workload), new Autotuner(limits), Settings(decode: 2, read: 1, augment: 1, prefetch: 1), 200, NothingPinned);

        Assert.Equal(Settings(decode: 2, read: 1, augment: 1, prefetch: 3), run.Final);
        Assert.True(SimulatedInput.SteadyWaitFraction(workload, run.Final) > Autotuner.MaxWaitFraction);
        Assert.True(run.ChangesAfter(10) == 0, run.Log);
        Assert.All(run.Settings, s => AssertWithin(limits, s));
    }

    [Fact]
    public void A_producer_falling_behind_with_part_of_its_work_untimed_gets_threads_though_its_steps_read_under_saturated()
    {
        // 0.16 s of work a batch for a 0.1 s step, 0.03 s of it outside the steps: one worker's steps read at most 81% busy while the trainer waits.
        var hidden = new SimulatedWorkload { ReadSeconds = 0.01, DecodeSeconds = 0.1, AugmentSeconds = 0.02, UntimedSeconds = 0.03 };

        var run = Tune(hidden, Settings(1, prefetch: 1), windows: 100);

        Assert.Equal(Settings(decode: 2, read: 1, augment: 1, prefetch: 1), run.Final);
        // The first window: 20 batches of 0.16 s against 19 steps of 0.1 s wait 1.3 s over 2 s of steps; 2.6 s of timed work over 3.3 s.
        Assert.Equal("input wait 65.0% of step time > 1%, workers busy 79%: decode threads 1 → 2", run.Decisions[0].Decision.Reason);
        Assert.True(SimulatedInput.SteadyWaitFraction(hidden, run.Final) <= Autotuner.MaxWaitFraction);
        Assert.True(run.ChangesAfter(10) == 0, run.Log);
    }

    [Fact]
    public void A_prefetch_rise_that_does_not_cut_the_wait_is_undone_and_a_thread_rises_instead()
    {
        var tuner = new Autotuner(new SettingLimits(8, 16));
        var settings = Settings(1, prefetch: 1);
        var reasons = new List<string>();

        // The queue holds batches when asked, so bursts look like the cause, but the wait stays: the producer is too slow.
        for (var w = 0; w < 5; w++)
        {
            if (tuner.Observe(Window(wait: 1, decode: 1.6), settings, NothingPinned) is { } decision)
            {
                reasons.Add(decision.Reason);
                settings = decision.Settings;
            }
        }

        Assert.Equal(
            [
                "input wait 50.0% of step time > 1%, workers busy 53%, queue held 2.0 batches on average: prefetch 1 → 2",
                "input wait 50.0% of step time > 1% after prefetch 1 → 2, no better than 50.0% before: prefetch 2 → 1, threads rather than memory for 10 windows",
                "input wait 50.0% of step time > 1%, decoders busy 53%: decode threads 1 → 2",
            ],
            reasons);
        Assert.Equal(Settings(decode: 2, read: 1, augment: 1, prefetch: 1), settings);
    }

    [Fact]
    public void Pinned_settings_never_move_and_the_others_still_do()
    {
        HashSet<SettingName> pinned = [SettingName.DecodeThreads, SettingName.Prefetch];

        var run = Tune(new SimulatedInput(TwoThreadsWorth), new Autotuner(new SettingLimits(8, 16)), Settings(8, prefetch: 4), 200, pinned);

        Assert.Equal(Settings(decode: 8, read: 1, augment: 1, prefetch: 4), run.Final);
        Assert.All(run.Decisions, d => Assert.DoesNotContain(d.Decision.Setting, pinned));
        Assert.All(run.Settings, s => Assert.Equal((8, 4), (s.DecodeThreads, s.Prefetch)));
    }

    [Fact]
    public void A_pinned_bottleneck_gets_no_threads_that_cannot_help()
    {
        HashSet<SettingName> pinned = [SettingName.DecodeThreads];

        var run = Tune(new SimulatedInput(DecodeBound), new Autotuner(new SettingLimits(8, 16)), Settings(1, prefetch: 4), 200, pinned);

        // A second worker reads and warps while the one decoder decodes; a third would only wait for it.
        Assert.Equal(Settings(decode: 1, read: 1, augment: 2, prefetch: 4), run.Final);
        Assert.True(run.ChangesAfter(10) == 0, run.Log);
    }

    [Fact]
    public void A_pass_over_a_complete_cache_moves_the_warp_threads_and_leaves_the_decoders()
    {
        var cached = new SimulatedWorkload { AugmentSeconds = 0.25 };

        var run = Tune(cached, Settings(decode: 4, read: 4, augment: 1, prefetch: 4), windows: 200);

        Assert.Equal(Settings(decode: 4, read: 4, augment: 3, prefetch: 1), run.Final);
        AssertFewest(cached, run.Final);
        Assert.DoesNotContain(run.Decisions, d => d.Decision.Setting is SettingName.DecodeThreads or SettingName.ReadThreads);
    }

    [Fact]
    public void A_bursty_producer_with_threads_to_spare_gets_prefetch_and_settles()
    {
        var run = Tune(Bursty, Settings(decode: 2, read: 1, augment: 1, prefetch: 1), windows: 300);

        Assert.Equal(Settings(decode: 2, read: 1, augment: 1, prefetch: 3), run.Final);
        AssertFewest(Bursty, run.Final);
        Assert.All(run.Decisions, d => Assert.Equal(SettingName.Prefetch, d.Decision.Setting));

        // Prefetch 2 is tried again after the floor each failure leaves runs out, twice as long each time: 10, 20, 40, 80 windows.
        var probes = run.Decisions.Where(d => d.Decision.Reason.EndsWith("(probe)", StringComparison.Ordinal)).Select(d => d.Window);
        Assert.Equal([13, 34, 75, 156], probes);
        Assert.True(run.Decisions.Count == 2 + (2 * 4), run.Log);
    }

    [Fact]
    public void Settings_above_the_limits_come_down_to_them_first_unless_pinned()
    {
        var tuner = new Autotuner(new SettingLimits(8, 6));
        HashSet<SettingName> pinned = [SettingName.DecodeThreads];
        var settings = Settings(16, prefetch: 20);
        var reasons = new List<string>();

        while (tuner.Observe(Window(wait: 0, decode: 2), settings, pinned) is { } decision)
        {
            reasons.Add(decision.Reason);
            settings = decision.Settings;
        }

        Assert.Equal(Settings(decode: 16, read: 8, augment: 8, prefetch: 6), settings);
        Assert.Equal(
            [
                "only 8 cores: read threads 16 → 8",
                "only 8 cores: augment threads 16 → 8",
                "the memory cap holds 6 batches: prefetch 20 → 6",
            ],
            reasons);
    }

    [Fact]
    public void Windows_of_too_few_steps_change_nothing()
    {
        var tuner = new Autotuner(new SettingLimits(8, 16));

        var decision = tuner.Observe(Window(wait: 10, decode: 2, steps: Autotuner.MinSteps - 1), Settings(1), NothingPinned);

        Assert.Null(decision);
    }

    [Fact]
    public void A_setting_pinned_while_on_probe_is_not_undone()
    {
        var tuner = new Autotuner(new SettingLimits(8, 16));
        var settings = Settings(2, prefetch: 4);
        var probes = Enumerable.Range(0, Autotuner.Patience).Select(_ => tuner.Observe(Window(wait: 0, decode: 2), settings, NothingPinned)).ToList();
        var probed = probes[^1]!.Settings;
        HashSet<SettingName> pinned = [SettingName.Prefetch];

        // The user pins prefetch where the probe left it; the wait that follows would otherwise undo the probe.
        var afterWaiting = tuner.Observe(Window(wait: 0.2, decode: 1), probed, pinned);

        Assert.Equal([null, null, SettingName.Prefetch], probes.Select(p => p?.Setting));
        Assert.Equal(3, probed.Prefetch);
        Assert.Null(afterWaiting);
    }

    [Fact]
    public void Limits_allow_the_prefetch_the_memory_cap_holds_and_never_less_than_one_batch()
    {
        Assert.Equal(new SettingLimits(8, 3), SettingLimits.For(cores: 8, bufferBytes: 3_000_000, fixedBuffers: 0, memoryCap: 10_000_000));
        Assert.Equal(new SettingLimits(8, 1), SettingLimits.For(cores: 8, bufferBytes: 3_000_000, fixedBuffers: 3, memoryCap: 10_000_000));
        Assert.Equal(new SettingLimits(8, 7), SettingLimits.For(cores: 8, bufferBytes: 1_000_000, fixedBuffers: 3, memoryCap: 10_000_000));
    }

    [Fact]
    public void Setting_names_are_the_snake_case_labels_users_and_files_see()
    {
        Assert.Equal(
            ["decode_threads", "read_threads", "augment_threads", "prefetch", "queue_per_thread", "batch_size", "cache"],
            Enum.GetValues<SettingName>().Select(n => n.Label()));
    }

    /// <summary>A 2-second window of 20 steps in which only decoding ran.</summary>
    private static AutotuneWindow Window(double wait, double decode, int steps = 20) =>
        new(steps, TimeSpan.FromSeconds(wait), TimeSpan.FromSeconds(2), TimeSpan.Zero, TimeSpan.FromSeconds(decode), TimeSpan.Zero, ReadyBatches: 2);

    private static PipelineSettings Settings(int decode, int? read = null, int? augment = null, int prefetch = 4) =>
        new(decode, read ?? decode, augment ?? decode, prefetch, 4);

    private static TuningRun Tune(SimulatedWorkload workload, PipelineSettings start, int windows) =>
        Tune(new SimulatedInput(workload), new Autotuner(new SettingLimits(workload.Cores, 16)), start, windows, NothingPinned);

    /// <summary>Runs the loop the trainer will: a window, the autotuner's decision, applied before the next window.</summary>
    private static TuningRun Tune(SimulatedInput input, Autotuner tuner, PipelineSettings start, int windows, IReadOnlySet<SettingName> pinned)
    {
        var settings = start;
        var history = new List<PipelineSettings>();
        var decisions = new List<(int Window, AutotuneDecision Decision)>();
        for (var w = 0; w < windows; w++)
        {
            if (tuner.Observe(input.Run(settings), settings, pinned) is { } decision)
            {
                decisions.Add((w, decision));
                settings = decision.Settings;
            }

            history.Add(settings);
        }

        return new TuningRun(history, decisions);
    }

    /// <summary>The settings keep input wait at 1% in the long run, and one thread or batch less of anything the workload uses does not.</summary>
    private static void AssertFewest(SimulatedWorkload workload, PipelineSettings settings)
    {
        Assert.True(SimulatedInput.SteadyWaitFraction(workload, settings) <= Autotuner.MaxWaitFraction, $"{settings} waits");
        SettingName[] used =
        [
            .. workload.ReadSeconds > 0 ? [SettingName.ReadThreads] : Array.Empty<SettingName>(),
            .. workload.DecodeSeconds > 0 ? [SettingName.DecodeThreads] : Array.Empty<SettingName>(),
            SettingName.AugmentThreads,
            SettingName.Prefetch,
        ];
        foreach (var setting in used.Where(s => settings.Of(s) > 1))
        {
            var less = settings.With(setting, settings.Of(setting) - 1);
            Assert.True(SimulatedInput.SteadyWaitFraction(workload, less) > Autotuner.MaxWaitFraction, $"{less} would do");
        }
    }

    private static void AssertWithin(SettingLimits limits, PipelineSettings settings)
    {
        Assert.InRange(settings.DecodeThreads, 1, limits.Cores);
        Assert.InRange(settings.ReadThreads, 1, limits.Cores);
        Assert.InRange(settings.AugmentThreads, 1, limits.Cores);
        Assert.InRange(settings.Prefetch, 1, limits.MaxPrefetch);
    }

    private sealed record TuningRun(List<PipelineSettings> Settings, List<(int Window, AutotuneDecision Decision)> Decisions)
    {
        public PipelineSettings Final => Settings[^1];

        public int ChangesAfter(int window) => Decisions.Count(d => d.Window >= window);

        public string Log => string.Join('\n', Decisions.Select(d => $"{d.Window}: {d.Decision.Reason}"));
    }
}
