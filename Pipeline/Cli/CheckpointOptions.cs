using System.CommandLine;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// The options evaluate, predict and export share: the checkpoint, checked before anything else, and (for the verbs
/// that read images) how images are fitted to it and test-time augmentation.
/// </summary>
internal sealed class CheckpointOptions
{
    private readonly Option<FileInfo> _checkpoint =
        new("--checkpoint") { Description = "A checkpoint's JSON, e.g. runs/<name>/checkpoints/best.json.", Required = true };

    private readonly Option<FitMode?> _fit = ChoiceOption.CreateOptional<FitMode>(
        "--fit", "How a non-square image becomes square: stretch or a centre crop. By default as the network was trained (its run's config.json), else stretch.");

    private readonly EnumChoiceOption<TestTimeAugmentation> _tta = ChoiceOption.Create(
        "--tta", "Test-time augmentation: flip averages P(dog) of each image and its horizontal mirror (twice the work); flipshift also shifts both one pixel diagonally either way (6 views, six times the work).", TestTimeAugmentation.None);

    /// <param name="readsImages">False for a verb that only reads the checkpoint (export): no fit, no test-time augmentation.</param>
    public void AddTo(Command command, bool readsImages = true)
    {
        command.Add(_checkpoint);
        if (readsImages)
        {
            command.Add(_fit);
            command.Add(_tta);
        }
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

    /// <summary>--fit where given; null: as the network was trained.</summary>
    public FitMode? Fit(ParseResult result) => result.GetValue(_fit);

    public TestTimeAugmentation Tta(ParseResult result) => _tta.ValueIn(result);
}
