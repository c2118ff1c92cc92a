using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>What evaluate and predict share: a checkpoint, a device, an input pipeline sized to the network, and a progress bar.</summary>
internal static class CheckpointedInference
{
    public static Option<FileInfo> CheckpointOption() =>
        new("--checkpoint") { Description = "A checkpoint's JSON, e.g. runs/<name>/checkpoints/best.json.", Required = true };

    public static async Task<(float[] DogProbabilities, bool[] Delivered, Model.Training.BatchStatistics Statistics, string Skipped)> RunAsync(
        FileInfo checkpoint, ModelOptions model, ParseResult result, InputOptions input, ImageSource source, CancellationToken cancellationToken)
    {
        if (!checkpoint.Exists)
        {
            throw new CommandLineError($"The checkpoint '{checkpoint.FullName}' does not exist.");
        }

        using var device = model.Open(result, Console.Out);
        var loaded = Checkpoint.Load(checkpoint.FullName, device);
        using var network = loaded.Network;
        var options = input.Bind(result) with { ImageSize = network.ImageHeight };
        using var pipeline = new InputPipeline(options, device.HostAllocator, Console.Error);
        (float[] Probabilities, bool[] Delivered, Model.Training.BatchStatistics Statistics) outcome = ([], [], default);
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask($"{network.Spec.Name} over {source.Count} images", maxValue: Math.Max(1, source.Count));
            outcome = await Predictions.RunAsync(network, pipeline, source, new SynchronousProgress<int>(n => task.Value = n), cancellationToken);
        });
        return (outcome.Probabilities, outcome.Delivered, outcome.Statistics, pipeline.BadInput.Summary());
    }
}
