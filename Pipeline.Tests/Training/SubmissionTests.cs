using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Inference;

namespace CatsDogs.Tests.Training;

public sealed class SubmissionTests
{
    [Fact]
    public void Submission_is_kaggles_id_label_format_ordered_by_id_and_clipped_with_a_row_for_every_image()
    {
        ImageEntry[] entries =
        [
            new("12.jpg", ImageLabel.Unlabeled, "12"),
            new("2.jpg", ImageLabel.Unlabeled, "2"),
            new("1.jpg", ImageLabel.Unlabeled, "1"),
            new("7.jpg", ImageLabel.Unlabeled, "7"),
        ];
        var writer = new StringWriter();

        Submission.Write(writer, entries, [0.9999f, 0.25f, 0.0001f, 0.01f], [true, true, true, false]);

        Assert.Equal(["id,label", "1,0.005", "2,0.25", "7,0.5", "12,0.995"], writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
