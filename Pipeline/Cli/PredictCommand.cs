using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs predict`: a Kaggle submission (id,label = P(dog)) for a folder of images or image files.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var inference = new CheckpointOptions();
        var images = new Option<string[]>("--images")
        {
            Description = "Folder of images to label, such as Kaggle's test1/ (flat, or one folder per class), or one or more image files.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };

        // Taking several paths, --images would take an option the verb does not know for one more path; it is refused as the parser refuses one anywhere else.
        images.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(token => token.Value.StartsWith('-')))
            {
                result.AddError($"Unrecognized command or argument '{token.Value}'.");
            }
        });
        var output = new Option<FileInfo?>("--out") { Description = "The submission CSV to write; by default submission.csv in the checkpoint's run folder." };
        var input = new InputOptions(training: false);
        var model = new ModelOptions();
        var command = new Command("predict", "Write a Kaggle submission: id,label with label = P(dog), clipped to [0.005, 0.995].") { images, output };
        inference.AddTo(command);
        input.AddTo(command);
        model.AddTo(command, withModel: false);
        command.SetAction(async (result, cancellationToken) =>
        {
            // The checkpoint, then where the submission goes, before the images are predicted, which may take a while.
            var checkpoint = inference.Checkpoint(result);
            var path = result.GetValue(output)?.FullName ?? Path.Combine(RunFolder.OfCheckpoint(checkpoint) ?? checkpoint.DirectoryName!, "submission.csv");
            if (Directory.Exists(path) || !Directory.Exists(Path.GetDirectoryName(path)))
            {
                throw new CommandLineError($"--out '{path}' must name a file in an existing folder, such as {Path.Combine(Directory.Exists(path) ? path : ".", "submission.csv")}.");
            }

            var index = ImagesToLabel(result.GetRequiredValue(images));
            if (index.Entries.Any(e => index.FullPath(e) == path))
            {
                throw new CommandLineError($"--out '{path}' is one of the images to predict; give another file name.");
            }

            SubmissionIds.Report(index, Console.Error);
            index.ReportUnread(Console.Error);
            using var device = model.Open(result, Console.Out);
            var (probabilities, delivered, skipped) = await CheckpointedInference.RunAsync(
                checkpoint, device, input.Bind(result), inference.Fit(result), inference.Tta(result), new ImageSource(index), cancellationToken);
            AtomicFile.Write(path, stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                Submission.Write(writer, index.Entries, probabilities, delivered);
            });
            var unread = delivered.Count(d => !d);
            Console.WriteLine($"Wrote {index.Entries.Count} rows to {path}.");
            if (unread > 0)
            {
                Console.Error.WriteLine($"warning: {unread} image{(unread == 1 ? "" : "s")} could not be decoded (skipped above); {(unread == 1 ? "its row says" : "their rows say")} {Submission.Unknown}, so that the submission still has every id.");
            }

            Console.WriteLine(skipped);
            return 0;
        });
        return command;
    }

    /// <summary>One folder, read in its layout, or image files named one by one.</summary>
    private static DatasetIndex ImagesToLabel(string[] paths)
    {
        if (paths is [var only] && Directory.Exists(only))
        {
            return DatasetIndex.Scan(only, requireLabels: false);
        }

        if (paths.FirstOrDefault(Directory.Exists) is { } folder)
        {
            throw new CommandLineError($"--images takes one folder, or image files; '{Path.GetFullPath(folder)}' is a folder among {paths.Length} paths.");
        }

        return DatasetIndex.OfFiles(paths);
    }
}
