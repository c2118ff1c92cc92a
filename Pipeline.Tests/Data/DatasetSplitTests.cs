using CatsDogs.Pipeline.Data;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Data;

public sealed class DatasetSplitTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _splitFile;

    public DatasetSplitTests()
    {
        // Uneven classes, so that stratification is visible: 60 cats, 40 dogs.
        var jpeg = Images.Jpeg(8, 8);
        for (var i = 0; i < 60; i++)
        {
            _folder.Write($"data/cat.{i}.jpg", jpeg);
        }

        for (var i = 0; i < 40; i++)
        {
            _folder.Write($"data/dog.{i}.jpg", jpeg);
        }

        _splitFile = _folder.Combine("splits", "data.split.json");
    }

    private DatasetIndex Index() => DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true);

    private DatasetSplit Split(SplitRequest request, ExcludeList? exclude = null) =>
        DatasetSplit.LoadOrCreate(Index(), _splitFile, request, exclude, TextWriter.Null);

    [Fact]
    public void New_split_is_stratified_and_has_the_asked_size()
    {
        var split = Split(new SplitRequest(20, 0.2, 1, Explicit: true));

        Assert.Equal(20, split.Validation.Count);
        Assert.Equal(80, split.Train.Count);
        Assert.Equal(12, split.Validation.Count(e => e.Label == ImageLabel.Cat));
        Assert.Equal(8, split.Validation.Count(e => e.Label == ImageLabel.Dog));
        Assert.Empty(split.Train.Select(e => e.RelativePath).Intersect(split.Validation.Select(e => e.RelativePath)));
    }

    [Fact]
    public void Fraction_sets_the_size_when_no_count_is_given()
    {
        var split = Split(new SplitRequest(null, 0.25, 1, Explicit: true));

        Assert.Equal(25, split.Validation.Count);
    }

    [Fact]
    public void Reusing_a_split_drawn_with_another_seed_than_the_one_given_says_so_and_how_to_draw_anew()
    {
        var drawn = File.ReadAllText(WriteFresh(seed: 5));
        var (given, defaulted) = (new StringWriter(), new StringWriter());

        DatasetSplit.LoadOrCreate(Index(), _splitFile, new SplitRequest(null, 0.2, 6, Explicit: false, SeedGiven: true), null, given);
        DatasetSplit.LoadOrCreate(Index(), _splitFile, new SplitRequest(null, 0.2, 6, Explicit: false), null, defaulted);
        DatasetSplit.LoadOrCreate(Index(), _splitFile, new SplitRequest(null, 0.2, 5, Explicit: false, SeedGiven: true), null, defaulted);

        Assert.Equal(drawn, File.ReadAllText(_splitFile));
        Assert.Contains("was drawn with seed 5 and is reused; --seed 6 seeds the shuffling", given.ToString());
        Assert.Contains("to draw a split with seed 6", given.ToString());
        Assert.Equal("", defaulted.ToString());
    }

    [Fact]
    public void Same_seed_gives_the_same_split_and_another_seed_another()
    {
        var first = File.ReadAllText(WriteFresh(seed: 5));
        var again = File.ReadAllText(WriteFresh(seed: 5));
        var other = File.ReadAllText(WriteFresh(seed: 6));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Split_is_permanent_later_runs_reuse_it_whatever_their_seed()
    {
        var first = Split(new SplitRequest(null, 0.2, 1, Explicit: false));
        var written = File.ReadAllBytes(_splitFile);

        var later = Split(new SplitRequest(null, 0.2, 99, Explicit: false));

        Assert.Equal(first.Validation.Select(e => e.RelativePath), later.Validation.Select(e => e.RelativePath));
        Assert.Equal(first.Hash, later.Hash);
        Assert.Equal(written, File.ReadAllBytes(_splitFile));
    }

    [Fact]
    public void Removed_file_makes_the_split_stale_and_the_run_fails_loudly()
    {
        Split(new SplitRequest(null, 0.2, 1, Explicit: false));
        File.Delete(_folder.Combine("data", "cat.7.jpg"));

        var error = Assert.Throws<DatasetException>(() => Split(new SplitRequest(null, 0.2, 1, Explicit: false)));

        Assert.Contains("no longer matches the split file", error.Message);
        Assert.Contains("1 file in the split is gone (cat.7.jpg)", error.Message);
        Assert.Contains("give --split-file a new path (or delete this one) to draw a new split", error.Message);
    }

    [Fact]
    public void Added_file_makes_the_split_stale()
    {
        Split(new SplitRequest(null, 0.2, 1, Explicit: false));
        _folder.Write("data/dog.100.jpg", Images.Jpeg(8, 8));

        var error = Assert.Throws<DatasetException>(() => Split(new SplitRequest(null, 0.2, 1, Explicit: false)));

        Assert.Contains("1 file on disk is not in the split (dog.100.jpg)", error.Message);
    }

    [Fact]
    public void Files_that_came_or_went_are_accepted_once_they_are_excluded_as_the_error_advises()
    {
        var first = Split(new SplitRequest(null, 0.2, 1, Explicit: false));
        File.Delete(_folder.Combine("data", "cat.7.jpg"));
        _folder.Write("data/dog.100.jpg", Images.Jpeg(8, 8));
        var list = _folder.Combine("exclude.txt");
        File.WriteAllLines(list, ["cat.7.jpg", "dog.100.jpg"]);

        var error = Assert.Throws<DatasetException>(() => Split(new SplitRequest(null, 0.2, 1, Explicit: false)));
        Assert.Contains("list the files that came or went in an exclude list (--exclude)", error.Message);
        var again = Split(new SplitRequest(null, 0.2, 1, Explicit: false), ExcludeList.Load(list));

        Assert.Equal(first.Hash, again.Hash);
        Assert.Equal(first.Train.Count + first.Validation.Count - 1, again.Train.Count + again.Validation.Count);
        Assert.DoesNotContain(again.Train.Concat(again.Validation), e => e.RelativePath is "cat.7.jpg" or "dog.100.jpg");
    }

    [Fact]
    public void Exclude_entries_may_start_with_dot_slash_and_those_matching_nothing_are_named()
    {
        var list = _folder.Combine("exclude.txt");
        File.WriteAllLines(list, ["./cat.7.jpg", "cat/typo.jpg"]);
        var log = new StringWriter();

        var split = DatasetSplit.LoadOrCreate(Index(), _splitFile, new SplitRequest(null, 0.2, 1, Explicit: false), ExcludeList.Load(list), log);

        Assert.DoesNotContain(split.Train.Concat(split.Validation), e => e.RelativePath == "cat.7.jpg");
        Assert.Contains("warning: 1 entry of the exclude list matches no image (cat/typo.jpg)", log.ToString());
    }

    [Fact]
    public void A_resumed_run_never_draws_a_new_split_and_is_told_to_restore_its_files()
    {
        var resuming = new SplitRequest(null, 0.2, 1, Explicit: false, Resuming: true);
        var missing = Assert.Throws<DatasetException>(() => Split(resuming));
        Assert.Contains("that this run was trained with is gone; restore it to resume", missing.Message);
        Assert.False(File.Exists(_splitFile));

        Split(new SplitRequest(null, 0.2, 1, Explicit: false));
        File.Delete(_folder.Combine("data", "cat.7.jpg"));
        var changed = Assert.Throws<DatasetException>(() => Split(resuming));
        Assert.Contains("Restore the files to resume this run", changed.Message);
        Assert.DoesNotContain("--exclude", changed.Message);
    }

    [Fact]
    public void An_explicit_size_is_checked_against_the_images_the_split_was_drawn_from()
    {
        var first = Split(new SplitRequest(null, 0.2, 1, Explicit: true));
        for (var i = 0; i < 3; i++)
        {
            File.Delete(_folder.Combine("data", $"cat.{i}.jpg"));
        }

        var list = _folder.Combine("gone.txt");
        File.WriteAllLines(list, ["cat.0.jpg", "cat.1.jpg", "cat.2.jpg"]);

        var again = Split(new SplitRequest(null, 0.2, 1, Explicit: true), ExcludeList.Load(list));

        Assert.Equal(first.Hash, again.Hash);
    }

    [Fact]
    public void Asking_for_another_size_than_the_split_file_holds_is_an_error()
    {
        Split(new SplitRequest(20, 0.2, 1, Explicit: true));

        var error = Assert.Throws<DatasetException>(() => Split(new SplitRequest(30, 0.2, 1, Explicit: true)));

        Assert.Contains("holds 20 validation images but 30 were asked for", error.Message);
    }

    [Fact]
    public void Excluded_images_leave_both_sets_without_making_the_split_stale()
    {
        var full = Split(new SplitRequest(20, 0.2, 1, Explicit: true));
        var excluded = full.Validation[0].RelativePath;
        var list = _folder.Write("exclude.txt", System.Text.Encoding.UTF8.GetBytes(excluded));

        var split = Split(new SplitRequest(null, 0.2, 1, Explicit: false), ExcludeList.Load(list));

        Assert.Equal(19, split.Validation.Count);
        Assert.DoesNotContain(split.Validation.Concat(split.Train), e => e.RelativePath == excluded);
        Assert.Equal(full.Hash, split.Hash);
    }

    [Fact]
    public void Impossible_size_is_refused()
    {
        var error = Assert.Throws<DatasetException>(() => Split(new SplitRequest(100, 0.2, 1, Explicit: true)));

        Assert.Contains("cannot be drawn from 100", error.Message);
    }

    private string WriteFresh(int seed)
    {
        if (File.Exists(_splitFile))
        {
            File.Delete(_splitFile);
        }

        Split(new SplitRequest(null, 0.2, seed, Explicit: false));
        return _splitFile;
    }

    public void Dispose() => _folder.Dispose();
}
