using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;

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
    public void Evaluate_counts_every_image_whatever_the_batch_size()
    {
        var (exit, output) = CliRun.Run("evaluate", "--checkpoint", Best, "--data", _folder.Combine("data"), "--batch-size", "5", "--device", "cpu");

        Assert.True(exit == 0, output);
        Assert.Contains($"images: {2 * TinyRun.ImagesPerClass}, loss ", output);
    }

    public void Dispose() => _folder.Dispose();
}
