using System.CommandLine;
using System.Globalization;
using CatsDogs.Model.Memory;
using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench input`: the input graph alone, images/s and megapixels/s per stage and end to end.</summary>
internal static class BenchInputCommand
{
    public static Command Create()
    {
        var seed = SharedOptions.Seed("shuffling and augmentation");
        var data = SharedOptions.Data("Folder of images to read (any layout; labels are not needed).", CifarDefaults.TrainFolder);
        var passes = RangedOption.Create("--passes", "Measured passes over the data, after the warm-up passes.", 1, 1, 1000);
        var warmup = RangedOption.Create("--warmup", "Unmeasured passes first, so that the measured ones run JIT-compiled code on cached files.", 1, 1, 100);
        var untilJitQuiet = new Option<bool>("--until-jit-quiet")
        {
            Description = "After the warm-up passes, warm up until the JIT took under 0.5% of the last 10 s (at most 5 minutes), " +
                "so that the measured passes see what an hour-long run sees: with metrics scraped, the scrape path takes a minute or more to compile fully.",
        };
        var inference = new Option<bool>("--inference") { Description = "Read as validation does: in order, without augmentation." };
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var input = new InputOptions(seed);
        var metrics = new MetricsOptions();

        var command = new Command("input", "Run the input pipeline with no model and report its throughput per stage and end to end.")
        {
            data, passes, warmup, untilJitQuiet, inference, seed, runsDirectory, name,
        };
        input.AddTo(command);
        metrics.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: false);
            index.ReportUnread(Console.Error);
            var options = input.Bind(result);
            await using var telemetry = await metrics.StartAsync(result, cancellationToken);
            if (telemetry is null)
            {
                return MetricsOptions.CannotListenExitCode;
            }

            var run = RunFolder.CreateNew(result.GetRequiredValue(runsDirectory), result.GetValue(name), "bench-input");
            telemetry.WriteGpuCsv(run.File("gpu.csv"));
            using var pipeline = new InputPipeline(options, AlignedHostAllocator.Instance, Console.Error, metrics: telemetry.Pipeline);
            var kind = result.GetValue(inference) ? PassKind.Inference : PassKind.Training;
            var benchmark = new InputBenchmark(pipeline, new ImageSource(index), kind, AnsiConsole.Console);
            var warmupPlan = result.GetValue(untilJitQuiet)
                ? InputBenchmark.Warmup.UntilJitQuiet(result.GetValue(warmup))
                : InputBenchmark.Warmup.Passes(result.GetValue(warmup));
            var outcome = await benchmark.RunAsync(warmupPlan, result.GetValue(passes), cancellationToken);

            var report = Report(index, options, kind, pipeline, outcome);
            // Plain text: a Spectre Text would wrap it at 80 columns when output goes to a file.
            Console.Write(report);
            File.WriteAllText(run.File("summary.txt"), report);
            return 0;
        });
        return command;
    }

    private static string Report(DatasetIndex index, InputPipelineOptions options, PassKind kind, InputPipeline pipeline, InputBenchmark.Result outcome)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"data: {index.Root} ({index.Entries.Count} images, {index.Layout})",
            string.Create(c, $"pass: {kind}, batch {options.BatchSize}, image {options.ImageSize}, fit {options.Fit}, decoder {pipeline.Decoder.Name}, memory {pipeline.Pool.AllocatorName}"),
            string.Create(c, $"threads: read {options.ReadThreads}, decode {options.DecodeThreads}, augment {options.EffectiveAugmentThreads}; prefetch {options.Prefetch}"),
            "",
            "stage      threads   images   busy s   images/s   MP/s",
        };
        foreach (var stage in outcome.Stages)
        {
            lines.Add(string.Create(c, $"{stage.Name,-9} {stage.Parallelism,8} {stage.Images,8} {stage.Busy.TotalSeconds,8:F2} {stage.ImagesPerSecond,10:F0} {stage.MegapixelsPerSecond,6:F1}"));
        }

        lines.Add("(a stage's images/s is what it sustains with its threads while busy)");

        lines.Add("");
        lines.Add(string.Create(c, $"warm-up: {outcome.WarmupPasses} pass{(outcome.WarmupPasses == 1 ? "" : "es")} in {outcome.WarmupTime.TotalSeconds:F1} s, not measured"));
        lines.Add(string.Create(c, $"end-to-end: {outcome.ImagesPerSecond:F1} images/s, {outcome.MegapixelsPerSecond:F2} MP/s ({outcome.Images} images in {outcome.Elapsed.TotalSeconds:F2} s)"));
        lines.Add(string.Create(c, $"cpu time: {outcome.CpuTime.TotalSeconds:F2} s, {outcome.CpuMicrosecondsPerImage:F1} us per image"));
        lines.Add(string.Create(c, $"managed allocation: {outcome.AllocatedBytesPerImage:F1} bytes per image"));
        lines.Add(string.Create(c, $"jit during the measured passes: {outcome.JitMethods} methods compiled, {outcome.JitTime.TotalSeconds:F2} s"));
        lines.Add(pipeline.BadInput.Summary());
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
