using System.CommandLine;
using System.Globalization;
using CatsDogs.Model.Diagnostics;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench model`: training images/s and achieved TFLOP/s of a preset on a device, from generated batches.</summary>
internal static class BenchModelCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var batch = RangedOption.Create("--batch", "Batch size.", 512, 1, 8192);
        var imageSize = RangedOption.Create("--image-size", "Side of the generated images.", 64, 8, 512);
        var steps = RangedOption.Create("--steps", "Timed training steps.", 50, 1, 1_000_000);
        var warmup = RangedOption.Create("--warmup", "Untimed steps first (algorithm search, memory growth).", 10, 1, 10_000);
        var command = new Command("model", "Training throughput of a model preset on a device (generated data, no input pipeline).")
        {
            batch, imageSize, steps, warmup,
        };
        model.AddTo(command);
        command.SetAction(result => Guarded.Run(() =>
        {
            using var device = model.Open(result, Console.Out);
            var spec = ModelPresets.Get(result.GetRequiredValue(model.Model));
            var size = result.GetValue(imageSize);
            var measured = ModelBenchmark.Run(device, spec, size, result.GetValue(batch), result.GetValue(warmup), result.GetValue(steps));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{spec.Name} at {size}x{size}, batch {measured.BatchSize}, {result.GetValue(model.Precision).ToString().ToLowerInvariant()}: " +
                $"{measured.ImagesPerSecond:F0} images/s, {measured.TeraflopsPerSecond:F2} TFLOP/s ({measured.Steps} steps in {measured.Seconds:F2} s)"));
            // One key=value line for scripts (bench/gpu-check.sh reads it).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"result model={spec.Name} batch={measured.BatchSize} images_per_second={measured.ImagesPerSecond:F1} tflops={measured.TeraflopsPerSecond:F3}"));
            return 0;
        }));
        return command;
    }
}
