using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CatsDogs.Model.Export;
using CatsDogs.Model.Export.Onnx;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Specs;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Export;

/// <summary>
/// MODEL.md, written beside an export: what the network is, what it takes and gives, the data and recipe it was
/// trained with, how well it did, and where it should not be trusted. Everything comes from the checkpoint and its
/// run folder; what they do not record is said to be unknown.
/// </summary>
internal static class ModelCard
{
    public const string FileName = "MODEL.md";

    public static string Render(TrainedModel model, FileInfo checkpoint, RunRecord run, DataRecord? data)
    {
        var card = new StringBuilder();
        var (height, width) = (model.ImageHeight, model.ImageWidth);
        card.AppendLine($"# {model.Spec.Name}: cat or dog");
        card.AppendLine();
        card.AppendLine($"A convolutional network that gives P(dog), the probability that an RGB image shows a dog rather than a cat. " +
            $"`catsdogs export` (version {BuildInfo.Version}, commit {BuildInfo.Commit}) wrote it from the checkpoint `{checkpoint.FullName}`, " +
            $"saved after epoch {model.Epoch} (step {Number(model.Step)}).");
        Section(card, "Input and output");
        card.AppendLine("| form | input | output |");
        card.AppendLine("|---|---|---|");
        card.AppendLine($"| ONNX (opset {OnnxExport.OpsetVersion}) | `image`: uint8 [N, {height}, {width}, 3], RGB, rows top to bottom (NHWC); the graph scales and reorders it | `p_dog`: float32 [N], P(dog) |");
        card.AppendLine($"| safetensors | weights only: the network reads float32 [N, 3, {height}, {width}] (NCHW), the pixels times 1/255 | one logit per image; P(dog) = sigmoid(logit) |");
        card.AppendLine();
        card.AppendLine("| label | class |");
        card.AppendLine("|---|---|");
        card.AppendLine("| 0 | cat |");
        card.AppendLine("| 1 | dog |");
        card.AppendLine();
        card.AppendLine("P(dog) of 0.5 or more is read as dog, as accuracy is counted in training and evaluation.");
        Preprocessing(card, model, run.Settings);
        Section(card, "Architecture");
        card.AppendLine("```");
        card.Append(ModelSummary.Render(model.Spec, height, width));
        card.AppendLine("```");
        var layers = model.Spec.Describe(height, width);
        var (trained, statistics) = (layers.Sum(layer => layer.TrainableParameters), layers.Sum(layer => layer.NonTrainableParameters));
        card.AppendLine();
        card.AppendLine($"Parameters: {Number(trained + statistics)} ({Number(trained)} trained, {Number(statistics)} batch norm statistics).");
        Data(card, model, data);
        Training(card, model, run);
        Metrics(card, model, checkpoint, run);
        Limits(card, model, checkpoint, run, data);
        var notes = run.Notes.Concat(data?.Notes ?? []).ToList();
        if (notes.Count > 0)
        {
            Section(card, "What could not be read");
            foreach (var note in notes)
            {
                card.AppendLine($"- {note}");
            }
        }

        return card.ToString();
    }

    private static void Preprocessing(StringBuilder card, TrainedModel model, TrainConfig? settings)
    {
        Section(card, "Preprocessing");
        var fit = settings?.Input.Fit;
        card.AppendLine("As `catsdogs` does for validation, `evaluate` and `predict`:");
        card.AppendLine();
        card.AppendLine("1. Decode the file to RGB (grey and CMYK images become RGB).");
        card.AppendLine(fit switch
        {
            FitMode.Crop => "2. Take the largest centred square (`--fit crop`, as the network was trained).",
            FitMode.Stretch => "2. Make it square by scaling each axis on its own (`--fit stretch`, as the network was trained).",
            _ => "2. Make it square, by stretching (the default) or a centre crop: how this network was trained is not recorded.",
        });
        card.AppendLine($"3. Resample it to {model.ImageWidth}x{model.ImageHeight} pixels, bilinear, with edge pixels repeated; no augmentation.");
        card.AppendLine($"4. Multiply each byte, as float32, by 1/255 ({HostImageBatch.PixelScale.ToString("R", CultureInfo.InvariantCulture)}), giving [0, 1]; " +
            "no mean or standard deviation is subtracted. Put the channels first (NCHW). The ONNX graph does this step itself.");
        if (settings?.Input.Augment is { IsIdentity: false } augment)
        {
            card.AppendLine();
            card.AppendLine($"Training also flipped ({(augment.Flip ? "yes" : "no")}), sheared (up to {Decimal(augment.Shear)}), zoomed (up to {Decimal(augment.Zoom)}) " +
                $"and shifted (up to {Decimal(augment.Translate)} of the side) each image at random.");
        }
    }

    private static void Data(StringBuilder card, TrainedModel model, DataRecord? data)
    {
        Section(card, "Data");
        if (data is null)
        {
            card.AppendLine($"Not recorded: the data the network was trained on is not known (split file SHA-256 {model.SplitHash}).");
            return;
        }

        card.AppendLine("| | |");
        card.AppendLine("|---|---|");
        card.AppendLine($"| folder | `{data.Folder}` |");
        card.AppendLine($"| split file | `{data.SplitFile}` |");
        card.AppendLine($"| split hash (SHA-256 of the split file, as the checkpoint records it) | {data.RecordedSplitHash}{(data.CurrentSplitHash is { } now && now != data.RecordedSplitHash ? $" (now {now})" : "")} |");
        card.AppendLine($"| content hash (below) | {data.ContentHash ?? "not known"} |");
        card.AppendLine($"| training images | {Set(data.Train)} |");
        card.AppendLine($"| validation images | {Set(data.Validation)} |");
        if (data.Excluded > 0)
        {
            card.AppendLine($"| excluded (an exclude list) | {Number(data.Excluded)} |");
        }

        if (data.Sizes is { } sizes)
        {
            card.AppendLine($"| source image sizes | {SourceSizes(sizes)} |");
        }

        card.AppendLine();
        card.AppendLine($"The content hash is the {DataRecord.ContentHashRule}, read at export.");
    }

    private static void Training(StringBuilder card, TrainedModel model, RunRecord run)
    {
        Section(card, "Training");
        if (run.Folder is null || run.Settings is null)
        {
            card.AppendLine("Not recorded.");
            return;
        }

        var epochs = run.Epochs.Where(epoch => epoch.Epoch < model.Epoch).ToList();
        card.AppendLine($"Run `{run.Folder}`: this checkpoint is from epoch {model.Epoch} of {run.Settings.Train.Epochs} planned" +
            (epochs.Count == model.Epoch ? $", after {Decimal(epochs.Sum(epoch => epoch.EpochSeconds))} s of training." : "."));
        card.AppendLine();
        card.AppendLine($"The settings, as the run's {TrainConfigFile.FileName} records them:");
        card.AppendLine();
        card.AppendLine("| setting | value |");
        card.AppendLine("|---|---|");
        foreach (var (key, value) in Flatten(JsonSerializer.SerializeToNode(run.Settings, TrainConfigJson.Default.TrainConfig)!, string.Empty))
        {
            card.AppendLine($"| {key} | {value} |");
        }

        if (run.Provenance is { Sessions.Count: > 0 } provenance)
        {
            card.AppendLine();
            card.AppendLine("Sessions (the first started the run, each later one resumed it):");
            card.AppendLine();
            card.AppendLine("| started (UTC) | catsdogs | commit | host | device | command line |");
            card.AppendLine("|---|---|---|---|---|---|");
            foreach (var session in provenance.Sessions)
            {
                card.AppendLine($"| {session.Started:yyyy-MM-dd HH:mm:ss} | {session.Version} | {session.Commit} | {session.Host} ({session.Cpu}, {session.CpuCores} cores) | {session.Device} | `{session.CommandLine}` |");
            }
        }
    }

    private static void Metrics(StringBuilder card, TrainedModel model, FileInfo checkpoint, RunRecord run)
    {
        Section(card, "Metrics");
        // metrics.csv counts epochs from 0, a checkpoint the epochs finished.
        card.AppendLine(run.Epochs.LastOrDefault(epoch => epoch.Epoch == model.Epoch - 1) is { } row
            ? $"Validation, after epoch {model.Epoch} (metrics.csv): accuracy {Fraction(row.ValAccuracy)}, log loss {Fraction(row.ValLoss)}. " +
              "The validation set is also what picks the best checkpoint (best.json), whose figures therefore lean optimistic."
            : "Validation: not recorded for this checkpoint's epoch.");
        card.AppendLine();
        var test = run.Test;
        card.AppendLine(test switch
        {
            null => $"Test: not evaluated (no {TestEvaluation.FileName} in the run folder; `catsdogs evaluate` writes one).",
            _ when !IsOf(test, checkpoint) => $"Test: not evaluated for this checkpoint; the run folder's {TestEvaluation.FileName} is of `{test.Checkpoint}` ({Scores(test)}).",
            _ => $"Test{(test.Data is null ? "" : $" on `{test.Data}`")} ({TestEvaluation.FileName}, {Number(test.Images)} images{(test.Tta == TestTimeAugmentation.None ? "" : $", each {test.Tta.Describe()}")}): {Scores(test)}.",
        });
    }

    /// <summary>Whether <paramref name="test"/> measured <paramref name="checkpoint"/>: an evaluation that does not say is taken to have.</summary>
    private static bool IsOf(TestEvaluation test, FileInfo checkpoint) => test.Checkpoint is null || Path.GetFullPath(test.Checkpoint) == checkpoint.FullName;

    private static string Scores(TestEvaluation test) =>
        $"accuracy {Fraction(test.Accuracy)}, log loss {Fraction(test.LogLoss)}, ROC AUC {Fraction(test.RocAuc)}";

    private static void Limits(StringBuilder card, TrainedModel model, FileInfo checkpoint, RunRecord run, DataRecord? data)
    {
        Section(card, "Known limits");
        var side = Math.Max(model.ImageWidth, model.ImageHeight);
        if (data?.Sizes is { } sizes)
        {
            var cifar = CifarDefaults.Contains(data.Folder) ? "CIFAR-10's cats and dogs, " : string.Empty;
            card.AppendLine(sizes.LargestSide <= side
                ? $"- Trained on small images ({cifar}{SourceSizes(sizes)}), not on full-size photos: a photo is shrunk to {model.ImageWidth}x{model.ImageHeight}, and its framing, " +
                  "detail and quality are unlike anything the network has seen, so expect lower accuracy on photos than the metrics here."
                : $"- Trained on images of {SourceSizes(sizes)}, seen at {model.ImageWidth}x{model.ImageHeight}: detail finer than that is lost.");
        }
        else
        {
            card.AppendLine($"- It sees every image at {model.ImageWidth}x{model.ImageHeight}; the sizes of the training images are not known.");
        }

        card.AppendLine("- Two classes only: an image with neither a cat nor a dog, or with both, still gets a P(dog), with no warning.");
        card.AppendLine("- The probabilities are not calibrated beyond what training on log loss gives.");
        if (run.Test is null || !IsOf(run.Test, checkpoint))
        {
            card.AppendLine("- No test metrics: the figures above are from the validation set alone.");
        }
    }

    private static IEnumerable<(string Key, string Value)> Flatten(JsonNode node, string prefix) => node switch
    {
        JsonObject group => group.SelectMany(entry => entry.Value is null
            ? [($"{prefix}{entry.Key}", "none")]
            : Flatten(entry.Value, $"{prefix}{entry.Key}.")),
        _ => [(prefix.TrimEnd('.'), node.ToJsonString().Trim('"'))],
    };

    private static string Set(SplitSet? set) => set switch
    {
        null => "not known",
        { Cats: { } cats, Dogs: { } dogs } => $"{Number(set.Value.Images)} ({Number(cats)} cats, {Number(dogs)} dogs)",
        _ => $"{Number(set.Value.Images)} (classes not known)",
    };

    private static string SourceSizes(SourceSizes sizes) => sizes.MostCommonShare == 1
        ? $"all {sizes.MostCommon}"
        : $"sides from {sizes.SmallestSide} to {sizes.LargestSide} pixels, most often {sizes.MostCommon} ({sizes.MostCommonShare:P0})";

    private static void Section(StringBuilder card, string title)
    {
        card.AppendLine();
        card.AppendLine($"## {title}");
        card.AppendLine();
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Decimal(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Fraction(double? value) => value?.ToString("F4", CultureInfo.InvariantCulture) ?? "not defined";
}
