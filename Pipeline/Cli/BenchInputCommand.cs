using System.CommandLine;
using System.Globalization;
using CatsDogs.Model.Memory;
using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench input`: the input graph alone, images/s and megapixels/s per stage and end to end.</summary>
internal static class BenchInputCommand
{
    public static Command Create()
    {
        var seed = SharedOptions.Seed("shuffling and augmentation");
        var data = SharedOptions.Data("Folder of images to read (any layout; labels are not needed).", CifarDefaults.TrainFolder);
        var passes = RangedOption.Create("--passes", "Measured passes over the data, after the warm-up passes (many, for a run to retune while it goes on).", 1, 1, 1_000_000);
        var warmup = RangedOption.Create("--warmup", "Unmeasured passes first, so that the measured ones run JIT-compiled code on cached files (and, with a cache, read it).", 1, 1, 100);
        var untilJitQuiet = new Option<bool>("--until-jit-quiet")
        {
            Description = "After the warm-up passes, warm up until the JIT took under 0.5% of the last 10 s (at most 5 minutes), " +
                "so that the measured passes see what an hour-long run sees: with metrics scraped, the scrape path takes a minute or more to compile fully.",
        };
        var inference = new Option<bool>("--inference") { Description = "Read as validation does: in order, without augmentation." };
        var sweep = new Option<bool>("--sweep")
        {
            Description = "Measure once per --decode-threads count from 1 to the number of cores, a row each: images/s, CPU µs per image, and with --limit the ratios to the limit at the same count.",
        };
        var limit = new Option<FileInfo?>("--limit")
        {
            Description = "The decode-limit program (bench/libjpeg_limit.c, built): with --sweep, run on the same JPEGs at each thread count for the ratios.",
        };
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var input = new InputOptions(training: true);
        var metrics = new MetricsOptions();

        var command = new Command("input", "Run the input pipeline with no model and report its throughput per stage and end to end.")
        {
            data, passes, warmup, untilJitQuiet, inference, sweep, limit, seed, runsDirectory, name,
        };
        input.AddTo(command);
        metrics.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: false);
            index.ReportUnread(Console.Error);
            if (result.GetValue(limit) is { Exists: false } missing)
            {
                throw new CommandLineError($"--limit: '{missing.FullName}' does not exist (bench/input-vs-libjpeg.sh builds it into bench/out/).");
            }

            var options = input.Bind(result) with { Seed = result.GetValue(seed) };
            await using var telemetry = await metrics.StartAsync(result, cancellationToken);

            var run = RunFolder.CreateNew(result.GetRequiredValue(runsDirectory), result.GetValue(name), "bench-input");
            using var runLock = RunLock.Take(run);
            telemetry.WriteGpuCsv(run.File("gpu.csv"));
            var kind = result.GetValue(inference) ? PassKind.Inference : PassKind.Training;
            var warmupPlan = result.GetValue(untilJitQuiet)
                ? InputBenchmark.Warmup.UntilJitQuiet(result.GetValue(warmup))
                : InputBenchmark.Warmup.Passes(result.GetValue(warmup));
            var source = new ImageSource(index);

            async Task<(InputBenchmark.Result Outcome, string Decoder, string Allocator, string Skipped, int Workers)> Measure(InputPipelineOptions rowOptions)
            {
                using var pipeline = new InputPipeline(rowOptions, AlignedHostAllocator.Instance, Console.Error, telemetry.Pipeline);
                using var tuning = new LiveTuning(run, pipeline, telemetry.Pipeline, Console.Error);
                var outcome = await new InputBenchmark(pipeline, source, kind, AnsiConsole.Console).RunAsync(warmupPlan, result.GetValue(passes), cancellationToken);
                return (outcome, pipeline.Decoder.Name, pipeline.Pool.AllocatorName, pipeline.BadInput.Summary(), pipeline.Settings.DecodeThreads);
            }

            string report;
            if (result.GetValue(sweep))
            {
                var rows = new List<SweepRow>();
                for (var threads = 1; threads <= Environment.ProcessorCount; threads++)
                {
                    var row = await Measure(options with { DecodeThreads = threads });
                    var limitFigures = result.GetValue(limit) is { } program
                        ? await DecodeLimit.RunAsync(program.FullName, index, run, threads, options.ImageSize, result.GetValue(passes), cancellationToken)
                        : null;
                    rows.Add(new SweepRow(threads, row.Outcome, limitFigures, row.Decoder));
                }

                report = SweepReport(index, options, kind, rows);
            }
            else
            {
                var (outcome, decoder, allocator, skipped, workers) = await Measure(options);
                report = Report(index, options with { DecodeThreads = workers }, kind, decoder, allocator, skipped, outcome);
            }

            // Plain text: a Spectre Text would wrap it at 80 columns when output goes to a file.
            Console.Write(report);
            File.WriteAllText(run.File("summary.txt"), report);
            return 0;
        });
        return command;
    }

    private sealed record SweepRow(int Threads, InputBenchmark.Result Outcome, DecodeLimit.Figures? Limit, string Decoder);

    private static string Header(DatasetIndex index, InputPipelineOptions options, PassKind kind, string decoder) =>
        string.Join(Environment.NewLine,
            $"data: {index.Root} ({index.Entries.Count} images, {index.Layout})",
            string.Create(CultureInfo.InvariantCulture, $"pass: {kind}, batch {options.BatchSize}, image {options.ImageSize}, fit {options.Fit}, decoder {decoder}, cache {options.Cache.ToString().ToLowerInvariant()}"));

    private static string Report(DatasetIndex index, InputPipelineOptions options, PassKind kind, string decoder, string allocator, string skipped, InputBenchmark.Result outcome)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            Header(index, options, kind, decoder),
            string.Create(c, $"threads: decode {options.DecodeThreads}; prefetch {options.Prefetch}; memory {allocator}"),
            "",
            "stage      threads   images   busy s   images/s   us/image   MP/s",
        };
        foreach (var stage in outcome.Stages)
        {
            lines.Add(string.Create(c, $"{stage.Name,-9} {stage.Parallelism,8} {stage.Images,8} {stage.Busy.TotalSeconds,8:F2} {stage.ImagesPerSecond,10:F0} {stage.MicrosecondsPerImage,10:F1} {stage.MegapixelsPerSecond,6:F1}"));
        }

        lines.Add("(a stage's images/s is what it sustains with its threads while busy; us/image is one thread's busy time per image;");
        lines.Add(" MP/s counts the source pixels of decoded images only, so a pass served from the cache shows none)");
        lines.Add("");
        lines.Add(string.Create(c, $"warm-up: {outcome.WarmupPasses} pass{(outcome.WarmupPasses == 1 ? "" : "es")} in {outcome.WarmupTime.TotalSeconds:F1} s, not measured"));
        lines.Add(string.Create(c, $"end-to-end: {outcome.ImagesPerSecond:F1} images/s, {outcome.MegapixelsPerSecond:F2} MP/s ({outcome.Images} images in {outcome.Elapsed.TotalSeconds:F2} s)"));
        lines.Add(string.Create(c, $"cpu time: {outcome.CpuTime.TotalSeconds:F2} s, {outcome.CpuMicrosecondsPerImage:F1} us per image"));
        lines.Add(string.Create(c, $"context switches: {outcome.ContextSwitchesPerThousandImages:F1} per 1,000 images"));
        lines.Add(string.Create(c, $"managed allocation: {outcome.AllocatedBytesPerImage:F1} bytes per image"));
        lines.Add(string.Create(c, $"jit during the measured passes: {outcome.JitMethods} methods compiled, {outcome.JitTime.TotalSeconds:F2} s"));
        lines.Add(skipped);
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    private static string SweepReport(DatasetIndex index, InputPipelineOptions options, PassKind kind, IReadOnlyList<SweepRow> rows)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            Header(index, options, kind, rows[0].Decoder),
            "",
            "threads   images/s   cpu us/image   switches/1k   limit img/s   limit cpu us   ratio   cpu ratio",
        };
        foreach (var row in rows)
        {
            var (limitRate, limitCpu, ratio, cpuRatio) = row.Limit is { } limit
                ? (limit.ImagesPerSecond.ToString("F0", c), limit.CpuMicrosecondsPerImage.ToString("F1", c),
                    (row.Outcome.ImagesPerSecond / limit.ImagesPerSecond).ToString("F2", c), (limit.CpuMicrosecondsPerImage / row.Outcome.CpuMicrosecondsPerImage).ToString("F2", c))
                : ("-", "-", "-", "-");
            lines.Add(string.Create(c,
                $"{row.Threads,7} {row.Outcome.ImagesPerSecond,10:F0} {row.Outcome.CpuMicrosecondsPerImage,14:F1} {row.Outcome.ContextSwitchesPerThousandImages,13:F0} {limitRate,13} {limitCpu,14} {ratio,7} {cpuRatio,11}"));
        }

        lines.Add("(ratio: our images/s over the limit's at the same thread count; cpu ratio: the limit's CPU per image over ours)");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
