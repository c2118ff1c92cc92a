using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// What evaluate and predict share: the checkpoint and how images are fitted to it, a device, an
/// input pipeline sized to the network, and a progress bar.
/// </summary>
internal sealed class CheckpointedInference
{
    private readonly Option<FileInfo> _checkpoint =
        new("--checkpoint") { Description = "A checkpoint's JSON, e.g. runs/<name>/checkpoints/best.json.", Required = true };

    private readonly Option<FitMode?> _fit = ChoiceOption.CreateOptional<FitMode>(
        "--fit", "How a non-square image becomes square: stretch or a centre crop. By default as the network was trained (its run's config.json), else stretch.");

    public void AddTo(Command command)
    {
        command.Add(_checkpoint);
        command.Add(_fit);
    }

    /// <summary>The checkpoint, refused if it cannot be read: call it first, before the images are scanned and the device opens.</summary>
    public FileInfo Checkpoint(ParseResult result)
    {
        var checkpoint = result.GetRequiredValue(_checkpoint);
        if (Directory.Exists(checkpoint.FullName))
        {
            var best = Path.Combine(checkpoint.FullName, RunFolder.CheckpointsFolderName, "best.json");
            throw new CommandLineError($"'{checkpoint.FullName}' is a folder; give a checkpoint's JSON{(File.Exists(best) ? $", such as {best}" : ", e.g. runs/<name>/checkpoints/best.json")}.");
        }

        if (!checkpoint.Exists)
        {
            throw new CommandLineError($"The checkpoint '{checkpoint.FullName}' does not exist.");
        }

        Model.Checkpoints.Checkpoint.Inspect(checkpoint.FullName);
        return checkpoint;
    }

    public async Task<(float[] DogProbabilities, bool[] Delivered, Model.Training.BatchStatistics Statistics, string Skipped)> RunAsync(
        FileInfo checkpoint, ParseResult result, ModelOptions model, InputOptions input, ImageSource source, CancellationToken cancellationToken)
    {
        var fit = result.GetValue(_fit) ?? TrainedFit(checkpoint);
        using var device = model.Open(result, Console.Out);
        var loaded = Model.Checkpoints.Checkpoint.Load(checkpoint.FullName, device);
        using var network = loaded.Network;
        var options = input.Bind(result) with { Fit = fit, ImageSize = network.ImageHeight };
        using var pipeline = new InputPipeline(options, device.HostAllocator, Console.Error);
        (float[] Probabilities, bool[] Delivered, Model.Training.BatchStatistics Statistics) outcome = ([], [], default);
        await AnsiConsole.Progress().StartAsync(async context =>
        {
            var task = context.AddTask($"{network.Spec.Name} over {source.Count} images", maxValue: Math.Max(1, source.Count));
            outcome = await Predictions.RunAsync(network, pipeline, source, new SynchronousProgress<int>(n => task.Value = n), cancellationToken);
        });
        return (outcome.Probabilities, outcome.Delivered, outcome.Statistics, pipeline.BadInput.Summary());
    }

    /// <summary>The --fit the network was trained with, from its run's config.json: a crop-trained network must see crops.</summary>
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
            Console.WriteLine($"fit: {CommandLineSpelling.Of(fit)}, as the network was trained ({config})");
            return fit;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"warning: {e.Message}; images are stretched (--fit to choose).");
            return FitMode.Stretch;
        }
    }
}
