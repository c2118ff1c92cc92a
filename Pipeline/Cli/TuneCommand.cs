using System.CommandLine;
using System.Diagnostics;
using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// `catsdogs tune`: measures training steps on the real data and device to find the batch size, then the cheapest input
/// settings that keep the steps fed (<see cref="TuningSearch"/>), within a time budget; writes runs/&lt;name&gt;/tuning.json
/// for `train --tuning`, the table of trials (summary.txt) and their plot.
/// </summary>
internal static class TuneCommand
{
    /// <summary>The smallest batch tried; a pass must hold two of the largest.</summary>
    private const int SmallestBatch = 8;

    public static Command Create()
    {
        var data = SharedOptions.Data("Labeled training data to tune on: every image in it is read, no split is drawn.", CifarDefaults.TrainFolder);
        var model = new ModelOptions();
        var imageSize = SharedOptions.ImageSize();
        var budget = RangedOption.Create("--budget-seconds", "How long tune may take in all; what it cannot try in that time, it says.", 180, 10, 86_400);
        var maxBatch = RangedOption.Create("--max-batch", $"The largest batch size to try (powers of two from {SmallestBatch}).", 512, SmallestBatch, 65_536);
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var command = new Command("tune", "Find the batch size and the cheapest input settings that keep training fed on this data and device; " +
            "writes runs/<name>/tuning.json for train --tuning.")
        {
            data, imageSize, budget, maxBatch, runsDirectory, name,
        };
        model.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var size = result.GetValue(imageSize);
            var spec = ModelPresets.Get(result.GetRequiredValue(model.Model));
            spec.Describe(size, size);
            var (runs, runName) = (result.GetRequiredValue(runsDirectory), result.GetValue(name) ?? RunFolder.DefaultName("tune"));
            RunFolder.Available(runs, runName);
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: true);
            index.ReportUnread(Console.Error);
            var images = index.Entries.Count;
            var batches = BatchSizes(result.GetValue(maxBatch), images, index.Root);

            // Train's input defaults, which tune leaves as they are but for what it varies.
            var input = new InputPipelineOptions { ImageSize = size };
            using var runner = new TrialRunner(() => model.Open(result, Console.Out), spec, new ImageSource(index), input);
            var device = runner.Device;
            var largestFits = device.Kind == DeviceKind.Cuda;
            var seconds = result.GetValue(budget);
            var header = new List<string>
            {
                $"data: {index.Root} ({images} images, {index.Layout})",
                $"model: {spec.Name} at {size}x{size} on {device.Description}",
                $"batch: {(largestFits ? "the largest that fits in device memory" : "the most images/s")} of {string.Join(", ", batches)}; then the cheapest input settings " +
                    $"that keep input wait at or below {TuningSearch.InputWaitLimit:P0} within {TuningSearch.ThroughputTolerance:P0} of the best images/s; budget {seconds} s",
            };
            header.ForEach(Console.WriteLine);
            var plan = new TuningSearch.Plan(batches, largestFits, Environment.ProcessorCount, input.QueuePerThread, images, TimeSpan.FromSeconds(seconds),
                TrialLength.Default, settings => settings.MemoryBytes(input, images));
            var outcome = await new TuningSearch(plan, runner.RunAsync, () => clock.Elapsed, Console.Out).RunAsync(cancellationToken);

            var run = RunFolder.CreateNew(runs, runName, "tune");
            var decoder = runner.DecoderName ?? "";
            header.Add($"decoder: {decoder}");
            var chosen = outcome.Chosen.Settings;
            var tuning = new TuningFile(
                new TunedSettings(new TunedInput(chosen.BatchSize, chosen.DecodeThreads, null, null, chosen.QueuePerThread, chosen.Prefetch, chosen.Cache)),
                new TuningProvenance(index.Root, images, spec.Name, size, device.Kind, seconds, result.GetValue(maxBatch), decoder, RunSession.OfThisProcess(started, device.Description)),
                outcome.Chosen.Number, outcome.Reasons, outcome.Trials, outcome.NotTried);
            tuning.Save(run.File(TuningFile.FileName));
            TrialPlot.Write(outcome, run.Figures);
            var report = TuningReport.Render(header, outcome);
            Console.Write(report);
            File.WriteAllText(run.File("summary.txt"), report);
            Console.WriteLine($"wrote {run.File(TuningFile.FileName)}, {Path.Combine(run.Figures, TrialPlot.FileName)} and summary.txt; train with its settings: " +
                $"catsdogs train --tuning {run.File(TuningFile.FileName)} --model {spec.Name} --image-size {size}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Powers of two from <see cref="SmallestBatch"/> to <paramref name="maxBatch"/>, each at most half the images, so that a pass holds two batches.</summary>
    private static List<int> BatchSizes(int maxBatch, int images, string root)
    {
        var sizes = new List<int>();
        for (var size = SmallestBatch; size <= maxBatch && size <= images / 2; size *= 2)
        {
            sizes.Add(size);
        }

        return sizes.Count > 0
            ? sizes
            : throw new CommandLineError($"'{root}' holds {images} images; tune needs at least {2 * SmallestBatch}, two batches of the smallest size it tries.");
    }
}
