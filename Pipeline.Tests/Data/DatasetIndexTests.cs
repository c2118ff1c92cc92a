using CatsDogs.Pipeline.Data;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Data;

public sealed class DatasetIndexTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Kaggle_flat_folder_takes_labels_from_names_and_ignores_stray_files()
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write("train/cat.0.jpg", jpeg);
        _folder.Write("train/cat.1.jpg", jpeg);
        _folder.Write("train/dog.12499.jpg", jpeg);
        _folder.Write("train/notes.txt", "x"u8.ToArray());

        var index = DatasetIndex.Scan(_folder.Combine("train"), requireLabels: true);

        Assert.Equal(DatasetLayout.KaggleFlat, index.Layout);
        Assert.Equal(["cat.0.jpg", "cat.1.jpg", "dog.12499.jpg"], index.Entries.Select(e => e.RelativePath));
        Assert.Equal([ImageLabel.Cat, ImageLabel.Cat, ImageLabel.Dog], index.Entries.Select(e => e.Label));
        Assert.Equal("dog.12499", index.Entries[2].Id);
    }

    [Fact]
    public void Images_the_layout_leaves_out_are_named_in_a_warning()
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write("mixed/cat.0.jpg", jpeg);
        _folder.Write("mixed/dog.0.jpg", jpeg);
        _folder.Write("mixed/cat/1.jpg", jpeg);
        _folder.Write("mixed/dog/2.jpg", jpeg);
        _folder.Write("mixed/dog/old/3.jpg", jpeg);
        _folder.Write("mixed/notes.txt", "x"u8.ToArray());

        var index = DatasetIndex.Scan(_folder.Combine("mixed"), requireLabels: true);
        var log = new StringWriter();
        index.ReportUnread(log);

        Assert.Equal(DatasetLayout.ClassFolders, index.Layout);
        Assert.Equal(["cat.0.jpg", "dog.0.jpg", "dog/old/3.jpg"], index.Unread);
        Assert.Equal($"warning: 3 image files are not read (cat.0.jpg, dog.0.jpg, dog/old/3.jpg): in '{_folder.Combine("mixed")}' " +
            $"only images directly in cat/ and dog/ (or cats/, dogs/) are read.{Environment.NewLine}", log.ToString());
    }

    [Fact]
    public void Linked_folders_are_not_followed_so_a_loop_neither_hangs_nor_counts_twice()
    {
        _folder.Write("looped/cat/1.jpg", Images.Jpeg(8, 8));
        _folder.Write("looped/dog/2.jpg", Images.Jpeg(8, 8));
        Directory.CreateSymbolicLink(_folder.Combine("looped", "cat", "up"), _folder.Combine("looped"));
        Directory.CreateSymbolicLink(_folder.Combine("looped", "dog", "up"), _folder.Combine("looped"));

        var index = DatasetIndex.Scan(_folder.Combine("looped"), requireLabels: true);

        Assert.Equal(2, index.Entries.Count);
        Assert.Empty(index.Unread);
    }

    [Fact]
    public void A_folder_with_its_images_only_in_subfolders_says_where_they_are()
    {
        _folder.Write("outer/train/cat.0.jpg", Images.Jpeg(8, 8));
        _folder.Write("outer/train/dog.0.jpg", Images.Jpeg(8, 8));

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(_folder.Combine("outer"), requireLabels: true));

        Assert.Contains("(2 image files are in places this layout does not read, such as train/cat.0.jpg.)", error.Message);
    }

    [Fact]
    public void A_folder_read_whole_gives_no_warning()
    {
        _folder.Write("flat/cat.0.jpg", Images.Jpeg(8, 8));
        _folder.Write("flat/dog.0.jpg", Images.Jpeg(8, 8));
        var log = new StringWriter();

        DatasetIndex.Scan(_folder.Combine("flat"), requireLabels: true).ReportUnread(log);

        Assert.Empty(log.ToString());
    }

    [Theory]
    [InlineData("cat", "dog")]
    [InlineData("Cats", "DOGS")]
    [InlineData("cats", "Dog")]
    public void Class_folders_are_found_in_any_case_and_plural(string cats, string dogs)
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write($"{cats}/a.jpg", jpeg);
        _folder.Write($"{cats}/b.JPEG", jpeg);
        _folder.Write($"{dogs}/c.png", jpeg);
        _folder.Write("other/d.jpg", jpeg);

        var index = DatasetIndex.Scan(_folder.Path, requireLabels: true);

        Assert.Equal(DatasetLayout.ClassFolders, index.Layout);
        Assert.Equal(2, index.Count(ImageLabel.Cat));
        Assert.Equal(1, index.Count(ImageLabel.Dog));
        Assert.Equal($"{dogs}/c.png", index.Entries.Single(e => e.Label == ImageLabel.Dog).RelativePath);
    }

    [Fact]
    public void Two_folders_of_one_class_are_refused_and_an_empty_one_is_not_counted()
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write("cat/a.jpg", jpeg);
        _folder.Write("dog/b.jpg", jpeg);
        Directory.CreateDirectory(_folder.Combine("dogs"));
        Assert.Equal(2, DatasetIndex.Scan(_folder.Path, requireLabels: true).Entries.Count);

        _folder.Write("Cats/a.jpg", jpeg);
        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(_folder.Path, requireLabels: false));

        Assert.Contains("has two folders of cat images, Cats/ and cat/. Keep one folder per class", error.Message);
    }

    [Fact]
    public void Unlabeled_folder_is_read_for_prediction_with_ids_from_file_names()
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write("test1/1.jpg", jpeg);
        _folder.Write("test1/12500.jpg", jpeg);

        var index = DatasetIndex.Scan(_folder.Combine("test1"), requireLabels: false);

        Assert.Equal(DatasetLayout.Unlabeled, index.Layout);
        Assert.All(index.Entries, e => Assert.Equal(ImageLabel.Unlabeled, e.Label));
        Assert.Equal(["1", "12500"], index.Entries.Select(e => e.Id));
    }

    [Fact]
    public void Folder_with_neither_class_is_rejected_with_what_was_expected()
    {
        _folder.Write("test1/1.jpg", Images.Jpeg(8, 8));

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(_folder.Combine("test1"), requireLabels: true));

        Assert.Contains("does not hold both classes", error.Message);
        Assert.Contains("cat/ and dog/", error.Message);
        Assert.Contains("cat.0.jpg", error.Message);
    }

    [Fact]
    public void Folder_with_one_class_only_is_rejected_for_training()
    {
        _folder.Write("cats/1.jpg", Images.Jpeg(8, 8));

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(_folder.Path, requireLabels: true));

        Assert.Contains("1 cat and 0 dog images", error.Message);
    }

    [Fact]
    public void Missing_folder_is_a_clear_error()
    {
        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(_folder.Combine("nope"), requireLabels: false));

        Assert.Contains("does not exist", error.Message);
        Assert.DoesNotContain("import-cifar", error.Message);
    }

    [Fact]
    public void Missing_default_data_says_how_to_import_it()
    {
        Assert.False(Directory.Exists(CifarDefaults.TrainFolder), "the test runs where no default data set was imported");

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(CifarDefaults.TrainFolder, requireLabels: true));

        Assert.Contains("does not exist. `catsdogs import-cifar` (which ./run.sh runs) puts the default data set there; run it first.", error.Message);
    }

    [Fact]
    public void Exclude_list_removes_the_paths_it_names()
    {
        var jpeg = Images.Jpeg(8, 8);
        _folder.Write("data/cat/a.jpg", jpeg);
        _folder.Write("data/cat/b.jpg", jpeg);
        _folder.Write("data/dog/c.jpg", jpeg);
        var list = _folder.Write("exclude.txt", "# skewed\ncat/b.jpg  # 500x100\n\n"u8.ToArray());

        var index = DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true).Without(ExcludeList.Load(list));

        Assert.Equal(["cat/a.jpg", "dog/c.jpg"], index.Entries.Select(e => e.RelativePath));
    }

    public void Dispose() => _folder.Dispose();
}
