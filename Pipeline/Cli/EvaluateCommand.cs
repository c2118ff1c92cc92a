using System.CommandLine;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// `catsdogs evaluate`: a checkpoint's scores on labeled data (accuracy, log loss, per-class precision, recall
/// and F1, ROC AUC, the confusion matrix), written to evaluation.json with two figures in its run folder.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var inference = new CheckpointOptions();
        var data = SharedOptions.Data("Labeled images to evaluate on (Kaggle flat or class folders).", CifarDefaults.TestFolder);
        var output = new Option<DirectoryInfo?>("--out")
        {
            Description = "Folder for evaluation.json and figures/ (made if missing); by default the checkpoint's run folder.",
        };
        var input = new InputOptions(training: false);
        var model = new ModelOptions();
        var command = new Command("evaluate",
            "Evaluate a checkpoint on labeled images: accuracy, log loss, precision, recall and F1 per class, ROC AUC and the confusion matrix, " +
            "in evaluation.json, with figures of the matrix and of the most confident mistakes.") { data, output };
        inference.AddTo(command);
        input.AddTo(command);
        model.AddTo(command, withModel: false);
        command.SetAction(async (result, cancellationToken) =>
        {
            // The checkpoint, then where the results go, before the images are predicted, which may take a while.
            var checkpoint = inference.Checkpoint(result);
            var folder = OutputFolder(result.GetValue(output), checkpoint);
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: true);
            index.ReportUnread(Console.Error);
            using var device = model.Open(result, Console.Out);
            var tta = inference.Tta(result);
            var (probabilities, delivered, skipped) = await CheckpointedInference.RunAsync(
                checkpoint, device, input.Bind(result), inference.Fit(result), tta, new ImageSource(index), cancellationToken);
            var report = EvaluationReport.From(index.Entries, probabilities, delivered, tta, checkpoint.FullName, index.Root);
            var written = EvaluationFiles.Write(folder, report, index, probabilities, delivered);
            Console.WriteLine(report.Render());
            Console.WriteLine($"Wrote {string.Join(", ", written)}.");
            Console.WriteLine(skipped);
            return 0;
        });
        return command;
    }

    /// <summary>--out, made if missing; else the checkpoint's run folder, or its own folder when it is kept outside a run.</summary>
    private static string OutputFolder(DirectoryInfo? given, FileInfo checkpoint)
    {
        if (given is null)
        {
            return RunFolder.OfCheckpoint(checkpoint) ?? checkpoint.DirectoryName!;
        }

        if (File.Exists(given.FullName))
        {
            throw new CommandLineError($"--out '{given.FullName}' is a file; give the folder for {EvaluationReport.FileName} and figures/.");
        }

        return Directory.CreateDirectory(given.FullName).FullName;
    }
}
