using System.Diagnostics;
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
    public sealed record Result(int Images, TimeSpan Elapsed, long SourcePixels, double AllocatedBytesPerImage, TimeSpan CpuTime)
    {
        public double CpuMicrosecondsPerImage => CpuTime.TotalMicroseconds / Math.Max(1, Images);

        public double ImagesPerSecond => Images / Elapsed.TotalSeconds;

        public double MegapixelsPerSecond => SourcePixels / Elapsed.TotalSeconds / 1e6;
    }

    public async Task<Result> RunAsync(int warmupPasses, int passes, CancellationToken cancellationToken)
    {
        // Warm-up fills the page cache and the JIT, and grows each job's scratch buffers.
        await console.Progress().AutoClear(true).HideCompleted(true)
            .StartAsync(async context =>
            {
                for (var pass = 1; pass <= warmupPasses; pass++)
                {
                    await PassAsync(context.AddTask($"warm-up {pass}/{warmupPasses}"), -pass, cancellationToken);
                }
            });

        var images = 0;
        var pixelsBefore = pipeline.DecodeStage.Pixels;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
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
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        return new Result(images, clock.Elapsed, pipeline.DecodeStage.Pixels - pixelsBefore, (double)allocated / Math.Max(1, images), cpu);
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
