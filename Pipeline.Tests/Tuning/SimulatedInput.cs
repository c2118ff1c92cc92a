using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Autotune;

namespace CatsDogs.Tests.Tuning;

/// <summary>
/// What a batch costs the input pipeline, in thread-seconds per step, and what the trainer does with it. A step that
/// costs nothing does not run (a pass over a complete cache only warps).
/// </summary>
internal sealed record SimulatedWorkload
{
    public double ReadSeconds { get; init; }

    public double DecodeSeconds { get; init; }

    public double AugmentSeconds { get; init; }

    /// <summary>Work of the workers outside the timed steps (the hops, the batcher): it takes their time and shows in no busy time.</summary>
    public double UntimedSeconds { get; init; }

    /// <summary>The trainer's step time per batch.</summary>
    public double StepSeconds { get; init; } = 0.1;

    public int Cores { get; init; } = 8;

    /// <summary>Each batch costs up to this fraction more or less than the mean, drawn from the seed.</summary>
    public double Jitter { get; init; } = 0.05;

    /// <summary>Every this many batches the producer stalls with its threads idle (a slow disk, a pause); 0 for never.</summary>
    public int StallEvery { get; init; }

    public double StallSeconds { get; init; }

    /// <summary>Trainer steps a window holds: 2 seconds at the default step time.</summary>
    public int StepsPerWindow { get; init; } = 20;
}

/// <summary>
/// A deterministic discrete-event stand-in for the input pipeline and the trainer, batch by batch. The workers make
/// batches one after another as fast as their tightest limit lets them: each running step's threads (its work over
/// its count), the workers together (all the work over the largest running count), and the cores. A batch may start
/// once the queue has room: with prefetch P, batch j waits until the trainer has taken batch j - P - 1 (P ready and
/// one being filled). The trainer takes batch i when it is done with the previous step and batch i is finished; the
/// difference is its input wait. The busy times a window reports are those of the batches the trainer took in it.
/// </summary>
internal sealed class SimulatedInput(SimulatedWorkload workload, int seed = 1)
{
    private readonly Random _random = new(seed);
    private readonly List<Batch> _batches = [];
    private readonly List<double> _taken = [];
    private double _trainerReady;

    /// <summary>The workload from now on (the trainer may speed up or slow down mid-run).</summary>
    public SimulatedWorkload Workload { get; set; } = workload;

    /// <summary>The long-run input wait as a fraction of step time with settings held fixed, after a window to fill the queue.</summary>
    public static double SteadyWaitFraction(SimulatedWorkload workload, PipelineSettings settings, int windows = 100)
    {
        var input = new SimulatedInput(workload);
        input.Run(settings);
        var windowsRun = Enumerable.Range(0, windows).Select(_ => input.Run(settings)).ToList();
        return windowsRun.Sum(w => w.InputWait.TotalSeconds) / windowsRun.Sum(w => w.StepTime.TotalSeconds);
    }

    /// <summary>One window of trainer steps under <paramref name="settings"/>, observed as the trainer would.</summary>
    public AutotuneWindow Run(PipelineSettings settings)
    {
        var steps = Workload.StepsPerWindow;
        double wait = 0, read = 0, decode = 0, augment = 0, ready = 0;
        for (var step = 0; step < steps; step++)
        {
            var i = _taken.Count;
            while (_batches.Count <= i + settings.Prefetch)
            {
                _batches.Add(Produce(_batches.Count, settings));
            }

            ready += Math.Min(settings.Prefetch, _batches.Skip(i).Count(b => b.Finished <= _trainerReady));
            var batch = _batches[i];
            var taken = Math.Max(_trainerReady, batch.Finished);
            wait += taken - _trainerReady;
            read += batch.Read;
            decode += batch.Decode;
            augment += batch.Augment;
            _taken.Add(taken);
            _trainerReady = taken + Workload.StepSeconds;
        }

        return new AutotuneWindow(
            steps,
            TimeSpan.FromSeconds(wait),
            TimeSpan.FromSeconds(steps * Workload.StepSeconds),
            TimeSpan.FromSeconds(read),
            TimeSpan.FromSeconds(decode),
            TimeSpan.FromSeconds(augment),
            ready / steps);
    }

    private Batch Produce(int j, PipelineSettings settings)
    {
        var previous = j > 0 ? _batches[j - 1].Finished : 0;
        var room = j - settings.Prefetch - 1 >= 0 ? _taken[j - settings.Prefetch - 1] : 0;
        var stall = Workload.StallEvery > 0 && j % Workload.StallEvery == Workload.StallEvery - 1 ? Workload.StallSeconds : 0;
        var factor = 1 + (Workload.Jitter * ((2 * _random.NextDouble()) - 1));
        var finished = Math.Max(previous, room) + stall + (BatchSeconds(settings) * factor);
        return new Batch(finished, Workload.ReadSeconds * factor, Workload.DecodeSeconds * factor, Workload.AugmentSeconds * factor);
    }

    /// <summary>Seconds a batch takes at full speed: its tightest limit.</summary>
    private double BatchSeconds(PipelineSettings settings)
    {
        (double Work, int Threads)[] steps =
        [
            (Workload.ReadSeconds, settings.ReadThreads),
            (Workload.DecodeSeconds, settings.DecodeThreads),
            (Workload.AugmentSeconds, settings.AugmentThreads),
        ];
        var running = steps.Where(s => s.Work > 0).ToArray();
        var workers = Math.Min(running.Max(s => s.Threads), Workload.Cores);
        var perStep = running.Max(s => s.Work / Math.Min(s.Threads, Workload.Cores));
        return Math.Max(perStep, (running.Sum(s => s.Work) + Workload.UntimedSeconds) / workers);
    }

    private sealed record Batch(double Finished, double Read, double Decode, double Augment);
}
