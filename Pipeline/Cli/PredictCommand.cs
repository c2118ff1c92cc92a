using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs predict`: a Kaggle submission (id,label = P(dog)) for a folder of images.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var inference = new CheckpointOptions();
        var images = new Option<DirectoryInfo>("--images") { Description = "Folder of images to label, such as Kaggle's test1/ (flat, or one folder per class).", Required = true };
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

            var index = DatasetIndex.Scan(result.GetRequiredValue(images).FullName, requireLabels: false);
            if (index.Entries.Any(e => index.FullPath(e) == path))
            {
                throw new CommandLineError($"--out '{path}' is one of the images to predict; give another file name.");
            }

            if (index.Entries.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList() is { Count: > 0 } repeated)
            {
                Console.Error.WriteLine($"warning: {repeated.Count} id{(repeated.Count == 1 ? " is" : "s are")} shared by several images ({Examples.Of(repeated)}), which a Kaggle submission does not allow: ids are file names without extension, so cat/1.jpg and dog/1.jpg, or 1.jpg and 1.png, share one.");
            }

            index.ReportUnread(Console.Error);
            using var device = model.Open(result, Console.Out);
            var (probabilities, delivered, _, skipped) = await CheckpointedInference.RunAsync(
                checkpoint, device, input.Bind(result), inference.Fit(result), new ImageSource(index), cancellationToken);
            if (!delivered.Contains(true))
            {
                throw new DatasetException($"None of the {index.Entries.Count} images could be decoded (see above); no submission was written.");
            }

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
}
