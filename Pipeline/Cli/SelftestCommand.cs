using System.CommandLine;
using System.Globalization;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Diagnostics;
using CatsDogs.Model.Specs;
using CatsDogs.Pipeline.Hosting;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// `catsdogs selftest`: proves a device. Every backend op, forward and gradients, on fresh random
/// inputs at a set of shapes against the CPU backend (a table of the worst relative error per op
/// and the shape it was met at), then a short training run on generated stripes whose loss must
/// fall, then a short clipped run twice, on the device and on a second one opened alike, whose
/// losses must be equal bit for bit with --deterministic. Exit 1 on any failure.
/// </summary>
internal static class SelftestCommand
{
    public const int FailedExitCode = 1;

    /// <summary>Enough steps for an order-dependent sum to show (rounding differences grow through the weights); the fewest --steps allows.</summary>
    private const int DeterminismSteps = 20;

    public static Command Create()
    {
        var model = new ModelOptions();
        var preset = ChoiceOption.Create("--model", "Preset trained in the learning check.", ModelPresets.Deep6.Name, ModelPresets.Names);
        var steps = RangedOption.Create("--steps", "Training steps of the learning check.", 200, 20, 100_000);
        var batch = RangedOption.Create("--batch", "Batch size of the learning check.", 64, 1, 4096);
        batch.Aliases.Add("--batch-size");
        var imageSize = RangedOption.Create("--image-size", "Side of the generated images.", 64, 8, 512);
        var command = new Command("selftest", "Check a device: every op against the CPU backend, then the loss of a short training run must fall.")
        {
            preset, steps, batch, imageSize,
        };
        model.AddTo(command, withModel: false);
        command.SetAction(result =>
        {
            using var device = model.Open(result, Console.Out);
            var threshold = BackendComparison.ThresholdFor(device, model.Precision.ValueIn(result));
            var rows = BackendComparison.CompareWithCpu(device, new CpuBackendOptions { Threads = result.GetValue(model.CpuThreads) }, threshold);
            Console.WriteLine(Table(rows));

            var spec = ModelPresets.Get(result.GetRequiredValue(preset));
            var stepCount = result.GetValue(steps);
            Console.WriteLine($"learning check: {spec.Name}, {stepCount} steps of {result.GetValue(batch)} generated {result.GetValue(imageSize)}px stripe images (AdamW 1e-3)");
            var learning = LearningCheck.Run(device, spec, result.GetValue(imageSize), result.GetValue(batch), stepCount, window: Math.Max(1, stepCount / 10),
                progress: new SynchronousProgress<LossPoint>(p => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  step {p.Step,6}: mean loss {p.MeanLoss:F4}"))));
            var failedOps = rows.Count(r => !r.Passed);
            Console.WriteLine(learning.Learned
                ? string.Create(CultureInfo.InvariantCulture, $"loss fell from {learning.Curve[0].MeanLoss:F4} to {learning.Curve[^1].MeanLoss:F4}: PASS")
                : string.Create(CultureInfo.InvariantCulture, $"loss did not fall below {learning.RequiredDrop:P0} of its start: FAIL"));

            var deterministic = result.GetValue(model.Deterministic);
            using var secondDevice = model.OpenLike(device, result, TextWriter.Null);
            var determinism = DeterminismCheck.Run(device, secondDevice, spec, result.GetValue(imageSize), result.GetValue(batch), DeterminismSteps);
            Console.WriteLine(Describe(determinism, deterministic));
            var repeatable = determinism.Identical || !deterministic;

            string?[] failures = [failedOps > 0 ? $"{failedOps} op(s) over the threshold" : null, learning.Learned ? null : "loss did not fall",
                repeatable ? null : "runs not repeatable"];
            var failed = failures.OfType<string>().ToList();
            Console.WriteLine(failed.Count == 0 ? $"selftest passed on {device.Name}" : $"selftest FAILED on {device.Name}: {string.Join(", ", failed)}");
            return failed.Count == 0 ? 0 : FailedExitCode;
        });
        return command;
    }

    private static string Describe(DeterminismOutcome outcome, bool required)
    {
        var check = $"determinism check: {outcome.Steps} steps with gradients clipped to norm " +
            $"{DeterminismCheck.ClipNorm.ToString(CultureInfo.InvariantCulture)}, twice from one seed: ";
        return (outcome.Identical, required) switch
        {
            (true, true) => check + "every loss equal bit for bit: PASS",
            (true, false) => check + "every loss equal bit for bit (required only with --deterministic)",
            (false, true) => check + $"the losses part at step {outcome.FirstDifferentStep}: FAIL",
            (false, false) => check + $"the losses part at step {outcome.FirstDifferentStep} (allowed without --deterministic, which makes them equal)",
        };
    }

    internal static string Table(IReadOnlyList<OpComparison> rows)
    {
        var width = rows.Max(r => r.Op.Length);
        var lines = new List<string> { $"{"op".PadRight(width)}  worst rel. error  threshold  result  worst at" };
        lines.AddRange(rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Op.PadRight(width)}  {r.WorstRelativeError,16:E2}  {r.Threshold,9:E0}  {(r.Passed ? "ok  " : "FAIL")}  {r.WorstShape}")));
        return string.Join(Environment.NewLine, lines);
    }
}
