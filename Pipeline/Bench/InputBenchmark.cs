using System.Diagnostics;
using System.Runtime;
using CatsDogs.Pipeline.Dataflow;
using Spectre.Console;

namespace CatsDogs.Pipeline.Bench;

/// <summary>
/// Runs the input graph with no model behind it: warm-up passes, then measured passes, and
/// reports what each stage could sustain and what the whole graph delivered.
/// </summary>
internal sealed class InputBenchmark(InputPipeline pipeline, ImageSource source, PassKind kind, IAnsiConsole console)
{
    /// <param name="CpuTime">Processor time of the whole process over the measured passes: unlike wall time, a busy
    /// neighbour on a shared machine barely moves it, so it shows what an extra cost (exporting metrics) really is.</param>
    /// <param name="ContextSwitches">The process's context switches over the measured passes, voluntary and not: each
    /// block that starves and restarts, and each hop between threads, adds some.</param>
    /// <param name="JitMethods">Methods the JIT compiled (or recompiled at a higher tier) during the measured passes, and <paramref name="JitTime"/>
    /// the time it spent on them: a measurement that includes much of either measures start-up, not the steady state.</param>
    /// <param name="WarmupPasses">Unmeasured passes run first, taking <paramref name="WarmupTime"/>.</param>
    public sealed record Result(
        int Images, TimeSpan Elapsed, long SourcePixels, double AllocatedBytesPerImage, TimeSpan CpuTime, long ContextSwitches, long JitMethods, TimeSpan JitTime, int WarmupPasses, TimeSpan WarmupTime,
        IReadOnlyList<StageFigures> Stages)
    {
        public double CpuMicrosecondsPerImage => CpuTime.TotalMicroseconds / Math.Max(1, Images);

        public double ImagesPerSecond => Images / Elapsed.TotalSeconds;

        public double ContextSwitchesPerThousandImages => ContextSwitches * 1000.0 / Math.Max(1, Images);

        public double MegapixelsPerSecond => SourcePixels / Elapsed.TotalSeconds / 1e6;
    }

    /// <summary>Warm-up fills the page cache and the JIT, and grows each job's scratch buffers.</summary>
    /// <param name="MinimumPasses">Passes to run at least.</param>
    /// <param name="QuietWindow">Then, unless zero, go on until the JIT took under <see cref="QuietJitShare"/> of the
    /// last <paramref name="QuietWindow"/>, as in a run that has been going for minutes, but no longer than
    /// <paramref name="MaxTime"/> in all. Methods move up a tier after 30 calls, so a path taken once a second,
    /// such as a metrics scrape, keeps the JIT busy for a minute or more.</param>
    public sealed record Warmup(int MinimumPasses, TimeSpan QuietWindow, TimeSpan MaxTime)
    {
        public const double QuietJitShare = 0.005;

        public static Warmup Passes(int passes) => new(passes, TimeSpan.Zero, TimeSpan.Zero);

        /// <summary>What <c>--until-jit-quiet</c> asks for: a 10-second window, 5 minutes at most.</summary>
        public static Warmup UntilJitQuiet(int minimumPasses) => new(minimumPasses, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

        public bool WaitsForJit => QuietWindow > TimeSpan.Zero;
    }

    public async Task<Result> RunAsync(Warmup warmup, int passes, CancellationToken cancellationToken)
    {
        var (warmupPasses, warmupTime) = await console.Progress().AutoClear(true).HideCompleted(true)
            .StartAsync(async context =>
            {
                var clock = Stopwatch.StartNew();
                // JIT time at the end of each pass; the first kept is the newest at least a window old.
                var samples = new List<(TimeSpan At, TimeSpan Jit)> { (clock.Elapsed, JitInfo.GetCompilationTime()) };
                for (var pass = 1; ; pass++)
                {
                    var label = warmup.WaitsForJit && pass > warmup.MinimumPasses ? $"warm-up {pass} (until the JIT is quiet)" : $"warm-up {pass}/{warmup.MinimumPasses}";
                    await PassAsync(context.AddTask(label), -pass, cancellationToken);
                    var now = (At: clock.Elapsed, Jit: JitInfo.GetCompilationTime());
                    samples.Add(now);
                    while (samples.Count > 2 && now.At - samples[1].At >= warmup.QuietWindow)
                    {
                        samples.RemoveAt(0);
                    }

                    if (pass >= warmup.MinimumPasses && (!warmup.WaitsForJit || IsQuiet(samples[0], now, warmup.QuietWindow) || now.At >= warmup.MaxTime))
                    {
                        return (pass, now.At);
                    }
                }
            });

        var stagesBefore = pipeline.Stages.Select(stage => stage.Figures).ToList();
        var images = 0;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var usageBefore = ProcessUsage.Now();
        var (jitMethodsBefore, jitTimeBefore) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
        var clock = Stopwatch.StartNew();
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                for (var pass = 1; pass <= passes; pass++)
                {
                    images += await PassAsync(context.AddTask($"pass {pass}/{passes}"), pass, cancellationToken);
                }
            });
        clock.Stop();
        var usage = ProcessUsage.Now() - usageBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var stages = pipeline.Stages.Zip(stagesBefore, (stage, before) => stage.Figures.Since(before)).ToList();
        var decoded = stages.Single(figures => figures.Name == pipeline.DecodeStage.Name).Pixels;
        return new Result(images, clock.Elapsed, decoded, (double)allocated / Math.Max(1, images), usage.Cpu, usage.ContextSwitches,
            JitInfo.GetCompiledMethodCount() - jitMethodsBefore, JitInfo.GetCompilationTime() - jitTimeBefore, warmupPasses, warmupTime, stages);
    }

    private static bool IsQuiet((TimeSpan At, TimeSpan Jit) since, (TimeSpan At, TimeSpan Jit) now, TimeSpan quietWindow)
    {
        var window = now.At - since.At;
        return window >= quietWindow && (now.Jit - since.Jit) / window < Warmup.QuietJitShare;
    }

    private async Task<int> PassAsync(ProgressTask task, int epoch, CancellationToken cancellationToken)
    {
        task.MaxValue = source.Count;
        var images = 0;
        var skippedBefore = pipeline.BadInput.Total;
        await foreach (var batch in pipeline.ReadAsync(source, kind, epoch, cancellationToken))
        {
            using (batch)
            {
                images += batch.Count;
                task.Value = images + pipeline.BadInput.Total - skippedBefore;
            }
        }

        task.Value = task.MaxValue;
        return images;
    }
}
