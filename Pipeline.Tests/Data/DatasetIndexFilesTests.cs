using CatsDogs.Pipeline.Data;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Data;

/// <summary>Image files given one by one, as predict takes them.</summary>
public sealed class DatasetIndexFilesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Files_are_read_under_the_deepest_folder_holding_them_all_once_each_in_path_order()
    {
        var a = _folder.Write("photos/2024/b.jpg", Images.Jpeg(8, 8));
        var b = _folder.Write("photos/2025/b.jpg", Images.Jpeg(8, 8));
        var c = _folder.Write("photos/a.png", Images.Jpeg(8, 8));

        var index = DatasetIndex.OfFiles([c, b, a, a]);

        Assert.Equal(_folder.Combine("photos"), index.Root);
        Assert.Equal(DatasetLayout.Files, index.Layout);
        Assert.Equal(["2024/b.jpg", "2025/b.jpg", "a.png"], index.Entries.Select(e => e.RelativePath));
        Assert.Equal(["b", "b", "a"], index.Entries.Select(e => e.Id));
        Assert.All(index.Entries, e => Assert.Equal(ImageLabel.Unlabeled, e.Label));
        Assert.Equal(a, index.FullPath(index.Entries[0]));
    }

    [Fact]
    public void One_file_is_read_from_its_own_folder()
    {
        var only = _folder.Write("one/1.jpg", Images.Jpeg(8, 8));

        var index = DatasetIndex.OfFiles([only]);

        Assert.Equal((_folder.Combine("one"), "1.jpg"), (index.Root, index.Entries.Single().RelativePath));
    }

    [Fact]
    public void A_missing_file_or_one_that_is_no_image_is_refused_by_name()
    {
        var text = _folder.Write("notes.txt", "not an image"u8.ToArray());
        var missing = _folder.Combine("missing.jpg");

        Assert.Equal($"'{missing}' does not exist.", Assert.Throws<DatasetException>(() => DatasetIndex.OfFiles([missing])).Message);
        Assert.StartsWith($"'{text}' is not an image file (.bmp, .gif,", Assert.Throws<DatasetException>(() => DatasetIndex.OfFiles([text])).Message);
    }

    public void Dispose() => _folder.Dispose();
}
