using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Hosting;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;
using Spectre.Console;

namespace CatsDogs.Pipeline.Inference;

/// <summary>
/// What evaluate and predict share: a checkpoint's network on a device, an input pipeline sized to
/// it and fitting images as it was trained, and its predictions over a set of images, with a
/// progress bar.
/// </summary>
internal static class CheckpointedInference
{
    public sealed record Outcome(float[] DogProbabilities, bool[] Delivered, string Skipped);

    /// <param name="fit">The fit asked for; null for the one the network was trained with.</param>
    /// <exception cref="DatasetException">Not one image could be decoded: there is nothing to write.</exception>
    public static async Task<Outcome> RunAsync(
        FileInfo checkpoint, ComputeDevice device, InputPipelineOptions input, FitMode? fit, TestTimeAugmentation tta, ImageSource source, CancellationToken cancellationToken)
    {
        var chosenFit = fit ?? TrainedFit(checkpoint);
        var loaded = Checkpoint.Load(checkpoint.FullName, device);
        using var network = loaded.Network;
        using var pipeline = new InputPipeline(input with { Fit = chosenFit, ImageSize = network.ImageHeight }, device.HostAllocator, Console.Error);
        (float[] Probabilities, bool[] Delivered) outcome = ([], []);
        var images = tta.Views().Count is var views and > 1 ? $"{source.Count} images, {views} views each" : $"{source.Count} images";
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask($"{network.Spec.Name} over {images}", maxValue: Math.Max(1, source.Count));
            outcome = await Predictions.RunAsync(network, pipeline, source, tta, new SynchronousProgress<int>(n => task.Value = n), cancellationToken);
        });
        if (!outcome.Delivered.Contains(true))
        {
            throw new DatasetException($"None of the {source.Count} images could be decoded (see above); nothing was written.");
        }

        return new Outcome(outcome.Probabilities, outcome.Delivered, pipeline.BadInput.Summary());
    }

    /// <summary>The fit the network was trained with, from its run's config.json: a crop-trained network must see crops.</summary>
    private static FitMode TrainedFit(FileInfo checkpoint)
    {
        var config = RunFolder.OfCheckpoint(checkpoint) is { } run ? Path.Combine(run, TrainConfigFile.FileName) : null;
        if (config is null || !File.Exists(config))
        {
            Console.WriteLine("fit: stretch (the checkpoint is not in a run folder with its config.json; --fit to choose)");
            return FitMode.Stretch;
        }

        try
        {
            var fit = TrainConfigFile.Load(config).Settings.Input.Fit;
            Console.WriteLine($"fit: {Cli.CommandLineSpelling.Of(fit)}, as the network was trained ({config})");
            return fit;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"warning: {e.Message}; images are stretched (--fit to choose).");
            return FitMode.Stretch;
        }
    }
}
