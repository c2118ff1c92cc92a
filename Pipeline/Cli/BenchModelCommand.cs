using System.CommandLine;
using System.Diagnostics;
using CatsDogs.Model.Benchmarks;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench model`: training images/s and achieved FLOP/s of a preset on a device (against the CPU's fp32 peak), from generated batches.</summary>
internal static class BenchModelCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var batch = RangedOption.Create("--batch", "Batch size.", 512, 1, 8192);
        batch.Aliases.Add("--batch-size");
        var imageSize = RangedOption.Create("--image-size", "Side of the generated images.", 64, 8, 512);
        var steps = RangedOption.Create("--steps", "Timed training steps.", 50, 1, 1_000_000);
        var warmup = RangedOption.Create("--warmup", "Untimed steps first (algorithm search, memory growth).", 10, 1, 10_000);
        var command = new Command("model", "Training throughput of a model preset on a device (generated data, no input pipeline).")
        {
            batch, imageSize, steps, warmup,
        };
        model.AddTo(command);
        command.SetAction(result =>
        {
            using var device = model.Open(result, Console.Out);
            var spec = ModelPresets.Get(result.GetRequiredValue(model.Model));
            var (warmupSteps, timedSteps) = (result.GetValue(warmup), result.GetValue(steps));
            var sinceLine = Stopwatch.StartNew();
            void Progress(int step)
            {
                // A line every 10 s: a slow device (a CPU on batch 512) should not look hung.
                if (sinceLine.Elapsed >= TimeSpan.FromSeconds(10))
                {
                    sinceLine.Restart();
                    Console.Error.WriteLine($"queued step {step}/{warmupSteps + timedSteps} ({(step <= warmupSteps ? "warm-up" : "timed")})");
                }
            }

            var measured = ModelBenchmark.Run(device, spec, result.GetValue(imageSize), result.GetValue(batch), warmupSteps, timedSteps, Progress);
            Console.WriteLine(measured);
            Console.WriteLine(measured.ToResultLine());
            return 0;
        });
        return command;
    }
}
