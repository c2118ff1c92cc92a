using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Cli;

/// <summary>A user's mistake ends every verb with its message and exit code 2, never a stack trace, and loses nothing.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class UserErrorTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Theory]
    [InlineData("explore")]
    [InlineData("bench", "input", "--metrics-listen", "none")]
    [InlineData("train", "--metrics-listen", "none", "--device", "cpu")]
    public void A_taken_run_name_is_an_error_that_keeps_the_earlier_run(params string[] verb)
    {
        _folder.Write("cat/1.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("dog/2.jpg", Images.Jpeg(32, 32, seed: 2));
        var runs = _folder.Combine("runs");
        var earlier = Path.Combine(runs, "taken", "summary.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(earlier)!);
        File.WriteAllText(earlier, "earlier run");

        var (exit, output) = CliRun.Run([.. verb, "--data", _folder.Path, "--runs-dir", runs, "--name", "taken"]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("error: The run folder", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.Equal("earlier run", File.ReadAllText(earlier));
    }

    [Fact]
    public void A_folder_without_images_is_an_error_for_explore()
    {
        Directory.CreateDirectory(_folder.Combine("empty"));

        var (exit, output) = CliRun.Run("explore", "--data", _folder.Combine("empty"), "--runs-dir", _folder.Combine("runs"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.StartsWith("error: ", output.TrimStart());
        Assert.False(Directory.Exists(_folder.Combine("runs")), "no run folder for a run that never started");
    }

    [Theory]
    [InlineData("train", "--bogus")]
    [InlineData("summary", "--image-size", "3")]
    [InlineData("bench")]
    [InlineData("train", "--lr", "abc")]
    [InlineData("train", "--epochs", "1.5")]
    [InlineData("train", "--optimizer", "adam")]
    public void A_mistake_on_the_command_line_exits_2_with_its_message_and_where_help_is(params string[] args)
    {
        var (exit, output) = CliRun.Run(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.Contains($"See 'catsdogs {args[0]} --help' for the options.", output);
        Assert.DoesNotContain("Usage:", output);
    }

    [Fact]
    public void An_image_too_small_for_the_model_stops_train_before_it_writes_anything()
    {
        _folder.Write("data/cat/1.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("data/dog/2.jpg", Images.Jpeg(32, 32, seed: 2));

        var (exit, output) = CliRun.Run("train", "--data", _folder.Combine("data"), "--model", "deep6", "--image-size", "32", "--device", "cpu",
            "--metrics-listen", "none", "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("error: Layer 'pool6' (MaxPooling2D) would produce a 0x0 output", output);
        Assert.False(File.Exists(_folder.Combine("split.json")));
        Assert.False(Directory.Exists(_folder.Combine("runs")));
    }

    [Fact]
    public void An_option_with_nothing_after_its_equals_sign_is_refused_rather_than_left_to_an_earlier_value()
    {
        Assert.Equal(0, CliRun.Run("summary", "--model=compact").Exit);

        var (exit, output) = CliRun.Run("summary", "--model", "compact", "--model=");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("error: --model has no value after '='; give one, or leave the option out for its default.", output);
    }

    [Fact]
    public void Make_kaggle_sized_refuses_to_merge_into_a_folder_that_holds_files()
    {
        _folder.Write("data/cat/1.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("out/earlier.jpg", Images.Jpeg(32, 32, seed: 2));

        var (exit, output) = CliRun.Run("bench", "make-kaggle-sized", "--data", _folder.Combine("data"), "--out", _folder.Combine("out"), "--count", "1");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("is a file or holds files; give a new or empty folder", output);
        Assert.Equal(["earlier.jpg"], Directory.GetFiles(_folder.Combine("out")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("new/out", false)]
    [InlineData("empty", true)]
    public void Make_kaggle_sized_stopped_by_a_bad_image_leaves_the_output_folder_as_it_was(string output, bool existed)
    {
        _folder.Write("data/cat/1.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("data/cat/2.jpg", "not a jpeg"u8.ToArray());
        _folder.Write("data/dog/1.jpg", Images.Jpeg(32, 32, seed: 3));
        if (existed)
        {
            Directory.CreateDirectory(_folder.Combine(output));
        }

        var (exit, text) = CliRun.Run("bench", "make-kaggle-sized", "--data", _folder.Combine("data"), "--out", _folder.Combine(output), "--count", "3");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"'{_folder.Combine("data", "cat", "2.jpg")}' cannot be decoded; the corpus is made from good images only, so none was kept.", text);
        Assert.Equal(existed, Directory.Exists(_folder.Combine(output)));
        Assert.Equal(["data"], Directory.GetDirectories(_folder.Path).Select(Path.GetFileName).Where(name => name != "empty"));
        if (existed)
        {
            Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Combine(output)));
        }
    }

    [Fact]
    public void A_choice_is_accepted_in_any_case_and_a_wrong_one_is_answered_with_the_choices()
    {
        Assert.Equal(0, CliRun.Run("summary", "--model", "COMPACT").Exit);

        var (exit, output) = CliRun.Run("train", "--schedule", "linear");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--schedule must be one of constant, step, cosine, onecycle, plateau; got 'linear'.", output);
    }

    [Theory]
    [InlineData("--epochs", "abc", "--epochs takes a whole number; got 'abc'.")]
    [InlineData("--epochs", "1.5", "--epochs takes a whole number; got '1.5'.")]
    [InlineData("--lr", "fast", "--lr takes a number; got 'fast'.")]
    [InlineData("--val-count", "many", "--val-count takes a whole number; got 'many'.")]
    public void A_value_of_the_wrong_kind_says_what_the_option_takes_in_words(string option, string value, string message)
    {
        var (exit, output) = CliRun.Run("train", option, value);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"error: {message}", output);
        Assert.DoesNotContain("System.", output);
    }

    [Theory]
    [InlineData("catsdogs train", "trian")]
    [InlineData("catsdogs evaluate", "evalute")]
    [InlineData("catsdogs bench model", "bench", "modle")]
    [InlineData("catsdogs import-cifar", "import-cifra")]
    public void A_mistyped_verb_suggests_the_nearest_one(string suggested, params string[] args)
    {
        var (exit, output) = CliRun.Run(args);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"Did you mean '{suggested}'?", output);
    }

    [Fact]
    public void A_word_near_no_verb_suggests_none()
    {
        var (exit, output) = CliRun.Run("xyzzy");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.DoesNotContain("Did you mean", output);
    }

    [Theory]
    [InlineData("train", "--data", "--metrics-listen", "none", "--device", "cpu")]
    [InlineData("explore", "--data")]
    public void A_file_given_where_a_data_folder_belongs_is_named_as_a_file(params string[] args)
    {
        var file = _folder.Write("notes.txt", "not a folder"u8.ToArray());
        var at = Array.IndexOf(args, "--data") + 1;

        var (exit, output) = CliRun.Run([.. args[..at], file, .. args[at..], "--runs-dir", _folder.Combine("runs")]);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"'{file}' is a file", output);
        Assert.False(Directory.Exists(_folder.Combine("runs")));
    }

    [Fact]
    public void Import_cifar_refuses_an_output_it_cannot_write_before_it_downloads()
    {
        var file = _folder.Write("taken", "a file"u8.ToArray());

        var (exit, output) = CliRun.Run("import-cifar", "--out", file, "--cache", _folder.Combine("cache"));

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains($"error: --out '{file}' is a file; give the folder to import into", output);
        Assert.DoesNotContain("npm", output);
        Assert.False(Directory.Exists(_folder.Combine("cache")), "nothing fetched");
    }

    public void Dispose() => _folder.Dispose();
}
