using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Cli;

/// <summary>`predict` and `evaluate` on a trained run: every image counted, output in the run folder.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class InferenceCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _run;

    public InferenceCommandTests() => _run = TinyRun.Train(_folder);

    private string Best => Path.Combine(_run, "checkpoints", "best.json");

    [Fact]
    public void Predict_writes_one_row_per_image_into_the_run_folder_by_default()
    {
        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("data"), "--batch-size", "5", "--device", "cpu");

        Assert.True(exit == 0, output);
        var rows = File.ReadAllLines(Path.Combine(_run, "submission.csv"));
        Assert.Equal("id,label", rows[0]);
        Assert.Equal(2 * TinyRun.ImagesPerClass, rows.Length - 1);
    }

    [Fact]
    public void An_unreadable_test_image_still_gets_its_row_and_a_warning()
    {
        _folder.Write("test1/1.jpg", Images.Jpeg(16, 16, seed: 1));
        _folder.Write("test1/2.jpg", "not a jpeg"u8.ToArray());
        _folder.Write("test1/3.jpg", Images.Jpeg(16, 16, seed: 3));

        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("test1"), "--device", "cpu");

        Assert.True(exit == 0, output);
        var rows = File.ReadAllLines(Path.Combine(_run, "submission.csv"));
        Assert.Equal(["1", "2", "3"], rows.Skip(1).Select(row => row.Split(',')[0]));
        Assert.Equal("2,0.5", rows[2]);
        Assert.Contains("warning: 1 image could not be decoded (skipped above); its row says 0.5", output);
    }

    [Fact]
    public void Predict_writes_no_submission_when_no_image_can_be_decoded()
    {
        _folder.Write("broken/1.jpg", "not a jpeg"u8.ToArray());

        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("broken"), "--device", "cpu");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("error: None of the 1 images could be decoded", output);
        Assert.False(File.Exists(Path.Combine(_run, "submission.csv")));
    }

    [Fact]
    public void Ids_that_repeat_across_subfolders_are_warned_about()
    {
        _folder.Write("dup/cat/1.jpg", Images.Jpeg(16, 16, seed: 1));
        _folder.Write("dup/dog/1.jpg", Images.Jpeg(16, 16, seed: 2));

        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("dup"), "--device", "cpu");

        Assert.True(exit == 0, output);
        Assert.Contains("warning: 1 id is shared by several images (1)", output);
    }

    [Theory]
    [InlineData("--drop-last")]
    [InlineData("--shear", "0.1")]
    [InlineData("--image-size", "32")]
    [InlineData("--seed", "3")]
    public void Predict_refuses_training_options_it_would_ignore(params string[] option)
    {
        var (exit, output) = CliRun.Run(["predict", "--checkpoint", Best, "--images", _folder.Combine("data"), .. option]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"Unrecognized command or argument '{option[0]}'", output);
        Assert.False(File.Exists(Path.Combine(_run, "submission.csv")));
    }

    [Fact]
    public void Predict_refuses_an_output_it_cannot_write_before_it_predicts_anything()
    {
        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("data"), "--out", _folder.Path);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --out '{_folder.Path}' must name a file in an existing folder", output);
    }

    [Fact]
    public void A_run_folder_or_a_checkpoint_without_its_weights_is_refused_before_the_device_opens()
    {
        var (exit, output) = CliRun.Run("evaluate", "--checkpoint", _run, "--data", _folder.Combine("data"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: '{_run}' is a folder; give a checkpoint's JSON, such as {Best}.", output);

        foreach (var weights in Directory.GetFiles(Path.Combine(_run, "checkpoints"), "best.*.safetensors"))
        {
            File.Delete(weights);
        }

        (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("data"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Matches("^error: The weights file '.*best\\.step\\d+\\.safetensors' that '.*best\\.json' names is missing", output);
    }

    [Fact]
    public void Inference_uses_the_fit_the_network_was_trained_with_unless_told_otherwise()
    {
        var config = Path.Combine(_run, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"fit\": \"stretch\"", "\"fit\": \"crop\"", StringComparison.Ordinal));

        var (_, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--device", "cpu");
        Assert.Contains($"fit: crop, as the network was trained ({config})", output);

        int exit;
        (exit, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--device", "cpu", "--fit", "stretch");
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("as the network was trained", output);

        // A checkpoint kept outside a run's checkpoints/ folder is not paired with a config.json that happens to be near it.
        var elsewhere = _folder.Combine("export", "sub");
        Directory.CreateDirectory(elsewhere);
        foreach (var file in Directory.GetFiles(Path.Combine(_run, "checkpoints"), "best*"))
        {
            File.Copy(file, Path.Combine(elsewhere, Path.GetFileName(file)));
        }

        File.WriteAllText(_folder.Combine("export", "config.json"), "not a training configuration");
        (exit, output) = CliRun.Run("evaluate", "--checkpoint", Path.Combine(elsewhere, "best.json"), "--data", _folder.Combine("data"), "--device", "cpu");
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("as the network was trained", output);
    }

    [Fact]
    public void Evaluate_counts_every_image_whatever_the_batch_size_and_writes_its_results_into_the_run_folder()
    {
        var (exit, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--batch-size", "5", "--device", "cpu");

        Assert.True(exit == 0, output);
        Assert.Contains($"images: {2 * TinyRun.ImagesPerClass}, accuracy ", output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_run, "evaluation.json")))!;
        Assert.Equal(2 * TinyRun.ImagesPerClass, json["images"]!.GetValue<int>());
        Assert.Equal(2 * TinyRun.ImagesPerClass, new[] { "cat", "dog" }.Sum(truth => json["confusion"]![truth]!["cat"]!.GetValue<int>() + json["confusion"]![truth]!["dog"]!.GetValue<int>()));
        Assert.Equal("none", json["tta"]!.GetValue<string>());
        Assert.Equal(Best, json["checkpoint"]!.GetValue<string>());
        Assert.Equal(_folder.Combine("data"), json["data"]!.GetValue<string>());
        Assert.InRange(json["rocAuc"]!.GetValue<double>(), 0, 1);
        using (var confusion = SKBitmap.Decode(Path.Combine(_run, "figures", "confusion.png")))
        {
            Assert.True(confusion is { Width: > 100, Height: > 100 }, "confusion.png is a real picture");
        }

        var mistakes = json["confusion"]!["cat"]!["dog"]!.GetValue<int>() + json["confusion"]!["dog"]!["cat"]!.GetValue<int>();
        Assert.Equal(mistakes > 0, File.Exists(Path.Combine(_run, "figures", "most-confident-mistakes.png")));
    }

    [Fact]
    public void Evaluate_writes_where_out_says_and_refuses_a_file_there_before_it_evaluates()
    {
        var (exit, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--device", "cpu", "--out", _folder.Combine("elsewhere", "test"));

        Assert.True(exit == 0, output);
        Assert.True(File.Exists(_folder.Combine("elsewhere", "test", "evaluation.json")));
        Assert.True(File.Exists(_folder.Combine("elsewhere", "test", "figures", "confusion.png")));
        Assert.False(File.Exists(Path.Combine(_run, "evaluation.json")));

        var file = _folder.Write("taken.json", "{}"u8.ToArray());
        (exit, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--device", "cpu", "--out", file);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --out '{file}' is a file; give the folder for evaluation.json and figures/.", output);
        Assert.Equal("{}", File.ReadAllText(file));
    }

    [Fact]
    public void Flip_and_shift_test_time_augmentations_change_the_scores_of_images_that_are_not_their_own_mirror_and_record_which_was_used()
    {
        // The pattern's red ramp runs left to right: no image is its own mirror.
        for (var i = 0; i < 6; i++)
        {
            _folder.Write($"asymmetric/{(i % 2 == 0 ? "cat" : "dog")}/{i}.jpg", Images.Jpeg(24, 24, seed: i));
        }

        string[] evaluate = ["evaluate", "--checkpoint", Best, "--data", _folder.Combine("asymmetric"), "--device", "cpu"];
        var (plainExit, plainOutput) = CliRun.Run([.. evaluate, "--out", _folder.Combine("plain")]);
        var (flipExit, flipOutput) = CliRun.Run([.. evaluate, "--out", _folder.Combine("flip"), "--tta", "flip"]);
        var (shiftExit, shiftOutput) = CliRun.Run([.. evaluate, "--out", _folder.Combine("flipshift"), "--tta", "flipshift"]);

        Assert.True(plainExit == 0, plainOutput);
        Assert.True(flipExit == 0, flipOutput);
        Assert.True(shiftExit == 0, shiftOutput);
        var plain = JsonNode.Parse(File.ReadAllText(_folder.Combine("plain", "evaluation.json")))!;
        var flip = JsonNode.Parse(File.ReadAllText(_folder.Combine("flip", "evaluation.json")))!;
        var shift = JsonNode.Parse(File.ReadAllText(_folder.Combine("flipshift", "evaluation.json")))!;
        Assert.Equal("none", plain["tta"]!.GetValue<string>());
        Assert.Equal("flip", flip["tta"]!.GetValue<string>());
        Assert.Equal("flipshift", shift["tta"]!.GetValue<string>());
        Assert.NotEqual(plain["logLoss"]!.GetValue<double>(), flip["logLoss"]!.GetValue<double>());
        Assert.NotEqual(flip["logLoss"]!.GetValue<double>(), shift["logLoss"]!.GetValue<double>());
        Assert.Contains("each image averaged with its mirror image (--tta flip)", flipOutput);
        Assert.Contains("each image averaged over 6 views: itself and its mirror, each also shifted one pixel diagonally either way (--tta flipshift)", shiftOutput);
    }

    [Fact]
    public void Predict_takes_image_files_one_by_one_with_or_without_flip_test_time_augmentation()
    {
        var first = _folder.Write("loose/10.jpg", Images.Jpeg(24, 24, seed: 1));
        using var pattern = Images.Pattern(24, 24, seed: 2);
        var second = _folder.Write("loose/more/9.png", Images.Encode(pattern, SKEncodedImageFormat.Png));
        var submission = _folder.Combine("submission.csv");

        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", first, second, "--device", "cpu", "--out", submission);
        Assert.True(exit == 0, output);
        var plain = File.ReadAllLines(submission);
        (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", first, second, "--device", "cpu", "--out", submission, "--tta", "flip");
        Assert.True(exit == 0, output);
        var flipped = File.ReadAllLines(submission);

        Assert.Equal(["id", "9", "10"], plain.Select(row => row.Split(',')[0]));
        Assert.Equal(plain.Select(row => row.Split(',')[0]), flipped.Select(row => row.Split(',')[0]));
        Assert.NotEqual(plain, flipped);
    }

    [Fact]
    public void Predict_refuses_a_folder_among_several_paths_and_a_path_that_does_not_exist()
    {
        var file = _folder.Write("loose/1.jpg", Images.Jpeg(16, 16, seed: 1));

        var (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", file, _folder.Combine("data"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: --images takes one folder, or image files; '{_folder.Combine("data")}' is a folder among 2 paths.", output);

        (exit, output) = CliRun.Run("predict", "--checkpoint", Best, "--images", _folder.Combine("nowhere"));
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith($"error: '{_folder.Combine("nowhere")}' does not exist.", output);
        Assert.False(File.Exists(Path.Combine(_run, "submission.csv")));
    }

    public void Dispose() => _folder.Dispose();
}
