using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Specs;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Cli;
using CatsDogs.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;

namespace CatsDogs.Tests.Export;

/// <summary>`catsdogs export` on a real run: the files, the model card, and checkpoints it must refuse without writing anything.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ExportCommandTests : IClassFixture<TrainedRunFixture>, IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly TrainedRunFixture _trained;
    private readonly string _run;

    public ExportCommandTests(TrainedRunFixture trained)
    {
        _trained = trained;
        _run = _folder.Combine("runs", "first");
        foreach (var file in Directory.EnumerateFiles(trained.Run, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(_run, Path.GetRelativePath(trained.Run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    private string Best => Path.Combine(_run, "checkpoints", "best.json");

    private string ExportFolder => Path.Combine(_run, "export", "best");

    private JsonNode BestState => JsonNode.Parse(File.ReadAllText(Best))!;

    private string WeightsPath => Path.Combine(_run, "checkpoints", BestState["weightsFile"]!.GetValue<string>());

    [Fact]
    public void Onnx_goes_into_the_run_folder_with_a_card_of_the_network_its_data_recipe_and_metrics()
    {
        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "onnx");

        Assert.True(exit == 0, output);
        Assert.Equal(["MODEL.md", "model.onnx"], Directory.EnumerateFiles(ExportFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var session = new InferenceSession(Path.Combine(ExportFolder, "model.onnx")))
        {
            Assert.Equal([-1, 16, 16, 3], session.InputMetadata["image"].Dimensions);
        }

        var card = File.ReadAllText(Path.Combine(ExportFolder, "MODEL.md"));
        Assert.Contains(ModelSummary.Render(ModelPresets.Compact, 16, 16), card);
        Assert.Contains("Parameters: 140,513 (139,873 trained, 640 batch norm statistics).", card);
        Assert.Contains($"| folder | `{_trained.Data}` |", card);
        Assert.Contains($"| split hash (SHA-256 of the split file, as the checkpoint records it) | {BestState["splitHash"]} |", card);
        var split = JsonNode.Parse(File.ReadAllText(_trained.Split))!;
        var validation = split["validation"]!.AsArray().Count;
        Assert.Contains($"| training images | {2 * TinyRun.ImagesPerClass - validation} (", card);
        Assert.Contains($"| validation images | {validation} ({validation / 2} cats, {validation / 2} dogs) |", card);
        Assert.Matches("\\| content hash \\(below\\) \\| [0-9a-f]{64} \\|", card);
        Assert.Contains("| source image sizes | all ", card);
        var epoch = File.ReadAllLines(Path.Combine(_run, "metrics.csv"))[1].Split(',');
        Assert.Contains($"accuracy {double.Parse(epoch[4], CultureInfo.InvariantCulture):F4}, log loss {double.Parse(epoch[3], CultureInfo.InvariantCulture):F4}", card);
        Assert.Contains("| train.model | compact |", card);
        Assert.Contains("| input.imageSize | 16 |", card);
        Assert.Contains("Training also flipped (yes), sheared (up to 0.2), zoomed (up to 0.2) and shifted (up to 0 of the side) each image at random.", card);
        // In this process the session's command line is the test host's; its machine is this one.
        Assert.Contains($"| {Environment.MachineName} (", card);
        Assert.Contains("Test: not evaluated", card);
        Assert.Contains("| 1 | dog |", card);
        Assert.Contains("- Trained on images of ", card);
    }

    [Theory]
    [InlineData("\"flip\"", ", each averaged with its mirror image")]
    [InlineData("true", ", each averaged with its mirror image")] // evaluation.json before flipshift
    [InlineData("\"flipshift\"", ", each averaged over 6 views: itself and its mirror, each also shifted one pixel diagonally either way")]
    [InlineData("\"none\"", "")]
    public void The_card_gives_the_test_metrics_an_evaluation_left_in_the_run_folder(string tta, string views)
    {
        WriteEvaluation(Best, rocAuc: "null", tta);

        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "safetensors");

        Assert.True(exit == 0, output);
        var card = File.ReadAllText(Path.Combine(ExportFolder, "MODEL.md"));
        Assert.Contains($"Test on `/data/test` (evaluation.json, 2,000 images{views}): accuracy 0.8750, log loss 0.3013, ROC AUC not defined.", card);
        Assert.DoesNotContain("No test metrics", card);
    }

    [Fact]
    public void An_evaluation_of_another_checkpoint_is_not_given_as_this_ones()
    {
        var last = Path.Combine(_run, "checkpoints", "last.json");
        WriteEvaluation(last, rocAuc: "0.93");

        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "onnx");

        Assert.True(exit == 0, output);
        var card = File.ReadAllText(Path.Combine(ExportFolder, "MODEL.md"));
        Assert.Contains($"Test: not evaluated for this checkpoint; the run folder's evaluation.json is of `{last}` (accuracy 0.8750, log loss 0.3013, ROC AUC 0.9300).", card);
        Assert.Contains("- No test metrics", card);
    }

    [Fact]
    public void Safetensors_hold_the_inference_weights_alone_and_say_what_they_expect()
    {
        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "safetensors");

        Assert.True(exit == 0, output);
        var (exported, metadata) = SafeTensors.Deserialize(File.ReadAllBytes(Path.Combine(ExportFolder, "model.safetensors")));
        var (saved, _) = SafeTensors.Deserialize(File.ReadAllBytes(WeightsPath));
        var optimizerState = saved.Where(tensor => tensor.Name.EndsWith(".momentum_buffer", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(optimizerState);
        Assert.Equal(saved.Except(optimizerState).Select(tensor => tensor.Name), exported.Select(tensor => tensor.Name));
        foreach (var tensor in exported)
        {
            var original = saved.Single(s => s.Name == tensor.Name);
            Assert.Equal(original.Shape, tensor.Shape);
            Assert.Equal(original.Data, tensor.Data);
        }

        Assert.Equal("compact", metadata["model"]);
        Assert.Equal("16", metadata["image_height"]);
        Assert.Equal("16", metadata["image_width"]);
        Assert.StartsWith("image: uint8 [N, 16, 16, 3], RGB", metadata["input"]);
        Assert.Equal((1f / 255f).ToString("R", CultureInfo.InvariantCulture), metadata["pixel_scale"]);
        Assert.Contains("1/255", metadata["scaling"]);
        Assert.Equal(new Dictionary<string, string> { ["0"] = "cat", ["1"] = "dog" }, JsonSerializer.Deserialize<Dictionary<string, string>>(metadata["labels"]));
    }

    public static TheoryData<string, string> BadCheckpoints => new()
    {
        { "missing", "does not exist" },
        { "truncated json", "is not a checkpoint this version can read" },
        { "truncated weights", "does not have the SHA-256 that" },
        { "changed weights", "does not have the SHA-256 that" },
        { "missing weights", "is missing; a checkpoint is its .json and that file together" },
    };

    [Theory]
    [MemberData(nameof(BadCheckpoints))]
    public void A_bad_checkpoint_is_refused_and_leaves_the_earlier_export_as_it_was(string damage, string message)
    {
        Assert.Equal(0, CliRun.Run("export", "--checkpoint", Best, "--format", "onnx").Exit);
        var before = Directory.EnumerateFiles(ExportFolder).ToDictionary(path => path, File.ReadAllBytes);
        Damage(damage);

        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "onnx");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, output);
        Assert.DoesNotContain("   at ", output);
        Assert.Equal(before.Keys, Directory.EnumerateFiles(ExportFolder));
        Assert.All(before, file => Assert.Equal(file.Value, File.ReadAllBytes(file.Key)));
    }

    [Theory]
    [MemberData(nameof(BadCheckpoints))]
    public void A_bad_checkpoint_writes_no_file_at_all(string damage, string message)
    {
        Damage(damage);

        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "safetensors");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, output);
        Assert.False(Directory.Exists(Path.Combine(_run, "export")), output);
    }

    [Theory]
    [InlineData("checkpoints/model.onnx", "is in the checkpoint's folder, beside its weights")]
    [InlineData("MODEL.md", "is the name of the model card")]
    [InlineData("no-such-folder/model.onnx", "must name a file in an existing folder")]
    public void An_out_that_could_harm_the_checkpoint_or_the_card_is_refused(string relative, string message)
    {
        var checkpointFiles = Directory.EnumerateFiles(Path.Combine(_run, "checkpoints")).Order(StringComparer.Ordinal).ToList();

        var (exit, output) = CliRun.Run("export", "--checkpoint", Best, "--format", "onnx", "--out", Path.Combine(_run, relative));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, output);
        Assert.Equal(checkpointFiles, Directory.EnumerateFiles(Path.Combine(_run, "checkpoints")).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(_run, "MODEL.md")));
    }

    [Fact]
    public void The_format_must_be_given()
    {
        var (exit, output) = CliRun.Run("export", "--checkpoint", Best);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--format", output);
    }

    [Fact]
    public void A_checkpoint_outside_a_run_folder_exports_with_a_card_that_says_what_is_not_recorded()
    {
        var loose = _folder.Combine("loose");
        Directory.CreateDirectory(loose);
        File.Copy(Best, Path.Combine(loose, "best.json"));
        File.Copy(WeightsPath, Path.Combine(loose, Path.GetFileName(WeightsPath)));
        var onnx = _folder.Combine("model.onnx");

        var (exit, output) = CliRun.Run("export", "--checkpoint", Path.Combine(loose, "best.json"), "--format", "onnx", "--out", onnx);

        Assert.True(exit == 0, output);
        Assert.True(File.Exists(onnx));
        var card = File.ReadAllText(_folder.Combine("MODEL.md"));
        Assert.Contains("The checkpoint is not in a run folder's checkpoints/", card);
        Assert.Contains($"Not recorded: the data the network was trained on is not known (split file SHA-256 {BestState["splitHash"]}).", card);
        Assert.Contains("Test: not evaluated", card);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>evaluation.json as `catsdogs evaluate` writes it, of <paramref name="checkpoint"/>.</summary>
    private void WriteEvaluation(string checkpoint, string rocAuc, string tta = "true") => File.WriteAllText(Path.Combine(_run, "evaluation.json"), $$"""
        {
          "images": 2000, "accuracy": 0.875, "logLoss": 0.30125, "rocAuc": {{rocAuc}},
          "perClass": { "cat": { "precision": 0.9, "recall": 0.85, "f1": 0.87 }, "dog": { "precision": 0.85, "recall": 0.9, "f1": 0.87 } },
          "confusion": { "cat": { "cat": 850, "dog": 150 }, "dog": { "cat": 100, "dog": 900 } },
          "tta": {{tta}}, "checkpoint": {{JsonSerializer.Serialize(checkpoint)}}, "data": "/data/test"
        }
        """);

    private void Damage(string how)
    {
        switch (how)
        {
            case "missing":
                File.Delete(Best);
                break;
            case "truncated json":
                var json = File.ReadAllBytes(Best);
                File.WriteAllBytes(Best, json[..(json.Length / 2)]);
                break;
            case "truncated weights":
                var weights = File.ReadAllBytes(WeightsPath);
                File.WriteAllBytes(WeightsPath, weights[..(weights.Length - 4)]);
                break;
            case "changed weights":
                var changed = File.ReadAllBytes(WeightsPath);
                changed[^1] ^= 0x40;
                File.WriteAllBytes(WeightsPath, changed);
                break;
            case "missing weights":
                File.Delete(WeightsPath);
                break;
        }
    }
}
