using System.CommandLine;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Export;
using CatsDogs.Pipeline.Export;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs export`: a checkpoint as an ONNX model or inference-only safetensors, with MODEL.md beside it.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var inference = new CheckpointOptions();
        var format = ChoiceOption.CreateOptional<ExportFormat>("--format", "onnx: an inference graph taking uint8 RGB images; safetensors: the weights alone.");
        format.Required = true;
        var output = new Option<FileInfo?>("--out")
        {
            Description = "The file to write; by default export/<checkpoint>/model.onnx (or .safetensors) in the checkpoint's run folder. MODEL.md goes beside it.",
        };
        var command = new Command("export", "Export a checkpoint for use elsewhere: an ONNX model or its weights as safetensors, and a model card (MODEL.md).");
        inference.AddTo(command, readsImages: false);
        command.Add(format);
        command.Add(output);
        command.SetAction(result =>
        {
            var checkpoint = inference.Checkpoint(result);
            var chosen = result.GetValue(format)!.Value;
            var path = OutputPath(result.GetValue(output), checkpoint, chosen);
            var model = TrainedModel.Load(checkpoint.FullName);
            var run = RunRecord.Of(checkpoint);
            var data = run.Settings is null ? null : DataRecord.Describe(run.Settings, model.SplitHash);
            var card = ModelCard.Render(model, checkpoint, run, data);
            var bytes = model.Serialize(chosen);

            // Each file appears whole or not at all; the model first, so that a card never describes a file that is not there.
            AtomicFile.Write(path, stream => stream.Write(bytes));
            var cardPath = Path.Combine(Path.GetDirectoryName(path)!, ModelCard.FileName);
            AtomicFile.Write(cardPath, stream =>
            {
                using var writer = new StreamWriter(stream, leaveOpen: true);
                writer.Write(card);
            });
            foreach (var note in run.Notes.Concat(data?.Notes ?? []))
            {
                Console.Error.WriteLine($"note: {note}");
            }

            Console.WriteLine($"Wrote {path} ({CommandLineSpelling.Of(chosen)}, {bytes.Length:N0} bytes) and {cardPath}.");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// --out, or the default; refused where writing it could harm the checkpoint: in the checkpoint's own folder, which
    /// holds its weights (and a later save there removes older weight files by name), or as the model card's name.
    /// </summary>
    private static string OutputPath(FileInfo? given, FileInfo checkpoint, ExportFormat format)
    {
        var extension = format == ExportFormat.Onnx ? ".onnx" : ".safetensors";
        var path = given?.FullName ?? Path.Combine(RunFolder.OfCheckpoint(checkpoint) ?? checkpoint.DirectoryName!, "export",
            Path.GetFileNameWithoutExtension(checkpoint.Name), "model" + extension);
        var folder = Path.GetDirectoryName(path)!;
        if (given is null)
        {
            return path;
        }

        if (Directory.Exists(path) || !Directory.Exists(folder))
        {
            throw new CommandLineError($"--out '{path}' must name a file in an existing folder, such as {Path.Combine(Directory.Exists(path) ? path : ".", "model" + extension)}.");
        }

        if (folder == checkpoint.DirectoryName)
        {
            throw new CommandLineError($"--out '{path}' is in the checkpoint's folder, beside its weights; give a file in another folder.");
        }

        return Path.GetFileName(path) == ModelCard.FileName
            ? throw new CommandLineError($"--out '{path}' is the name of the model card written beside the export; give another file name.")
            : path;
    }
}
