using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Inference;

public sealed class SubmissionIdsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_name_that_is_no_numeric_id_in_a_kaggle_test_folder_is_named_in_a_warning()
    {
        var log = Report("test1", "1.jpg", "2.jpg", "img_5.jpg", "3 (copy).jpg");

        Assert.Equal(
            $"warning: 2 images' names are not a numeric id (3 (copy).jpg, img_5.jpg) in '{_folder.Combine("test1")}': " +
            "Kaggle's submission takes the numbers of its test images (test1/1.jpg is id 1) and would refuse their rows.",
            log.Trim());
    }

    [Fact]
    public void Kaggles_training_folder_is_no_test_set_either()
    {
        Assert.Contains("warning: 2 images' names are not a numeric id (cat.0.jpg, dog.0.jpg)", Report("train", "cat.0.jpg", "dog.0.jpg"));
    }

    [Fact]
    public void Numeric_ids_and_class_folders_pass_without_a_word()
    {
        Assert.Equal("", Report("numbers", "1.jpg", "10.jpg", "007.jpg"));
        Assert.Equal("", Report("classes", "cat/tabby.jpg", "dog/rex.jpg"));
    }

    [Fact]
    public void Ids_shared_by_several_images_are_named()
    {
        Assert.StartsWith("warning: 1 id is shared by several images (1)", Report("shared", "1.jpg", "1.png", "2.jpg"));
    }

    private string Report(string root, params string[] files)
    {
        foreach (var file in files)
        {
            _folder.Write($"{root}/{file}", Images.Jpeg(8, 8));
        }

        var log = new StringWriter();
        SubmissionIds.Report(DatasetIndex.Scan(_folder.Combine(root), requireLabels: false), log);
        return log.ToString();
    }

    public void Dispose() => _folder.Dispose();
}
