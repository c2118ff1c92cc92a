using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;
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
        Check(checkpoint);
        var bound = input.Bind(result);
        var fitted = input.FitGiven(result) ? bound : bound with { Fit = TrainedFit(checkpoint) };
        using var device = model.Open(result, Console.Out);
        var loaded = Checkpoint.Load(checkpoint.FullName, device);
        using var network = loaded.Network;
        var options = fitted with { ImageSize = network.ImageHeight };
        using var pipeline = new InputPipeline(options, device.HostAllocator, Console.Error);
        (float[] Probabilities, bool[] Delivered, Model.Training.BatchStatistics Statistics) outcome = ([], [], default);
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask($"{network.Spec.Name} over {source.Count} images", maxValue: Math.Max(1, source.Count));
            outcome = await Predictions.RunAsync(network, pipeline, source, new SynchronousProgress<int>(n => task.Value = n), cancellationToken);
        });
        return (outcome.Probabilities, outcome.Delivered, outcome.Statistics, pipeline.BadInput.Summary());
    }

    /// <summary>A checkpoint that cannot be read is refused before the device opens and any image is read.</summary>
    private static void Check(FileInfo checkpoint)
    {
        if (Directory.Exists(checkpoint.FullName))
        {
            var best = Path.Combine(checkpoint.FullName, RunFolder.CheckpointsFolderName, "best.json");
            throw new CommandLineError($"'{checkpoint.FullName}' is a folder; give a checkpoint's JSON{(File.Exists(best) ? $", such as {best}" : ", e.g. runs/<name>/checkpoints/best.json")}.");
        }

        if (!checkpoint.Exists)
        {
            throw new CommandLineError($"The checkpoint '{checkpoint.FullName}' does not exist.");
        }

        Checkpoint.Inspect(checkpoint.FullName);
    }

    /// <summary>
    /// The --fit the network was trained with, from its run's config.json (runs/&lt;name&gt;/checkpoints/x.json
    /// → runs/&lt;name&gt;/config.json): a crop-trained network must see crops. Stretch, Keras' way, without one.
    /// </summary>
    private static FitMode TrainedFit(FileInfo checkpoint)
    {
        var config = Path.Combine(checkpoint.Directory!.Parent?.FullName ?? "", TrainConfig.FileName);
        if (!File.Exists(config))
        {
            return FitMode.Stretch;
        }

        var fit = TrainConfig.Load(config).Input.Fit;
        Console.WriteLine($"fit: {fit.ToString().ToLowerInvariant()}, as the network was trained ({config})");
        return fit;
    }
}
