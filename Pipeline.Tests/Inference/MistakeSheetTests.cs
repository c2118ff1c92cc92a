using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Inference;

public sealed class MistakeSheetTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly DatasetIndex _index;
    private readonly float[] _dogProbability;
    private readonly bool[] _delivered;

    public MistakeSheetTests()
    {
        // Twenty cats called dogs, cat/NN at P(dog) 0.51 + NN/100; dog/a and dog/b called cats at 0.01 (a tie),
        // dog/c at 0 but never decoded, and dog/d called right.
        var probability = new Dictionary<string, float> { ["dog/a.jpg"] = 0.01f, ["dog/b.jpg"] = 0.01f, ["dog/c.jpg"] = 0f, ["dog/d.jpg"] = 0.99f };
        for (var n = 0; n < 20; n++)
        {
            probability[$"cat/{n:D2}.jpg"] = 0.51f + n / 100f;
        }

        foreach (var (path, index) in probability.Keys.Select((path, i) => (path, i)))
        {
            _folder.Write($"data/{path}", Images.Jpeg(24, 24, seed: index));
        }

        _index = DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true);
        _dogProbability = [.. _index.Entries.Select(e => probability[e.RelativePath])];
        _delivered = [.. _index.Entries.Select(e => e.RelativePath != "dog/c.jpg")];
    }

    [Fact]
    public void The_sixteen_most_confident_mistakes_are_picked_most_confident_first_ties_in_path_order()
    {
        var picked = MistakeSheet.Pick(_index.Entries, _dogProbability, _delivered).Select(i => _index.Entries[i].RelativePath);

        Assert.Equal(["dog/a.jpg", "dog/b.jpg", .. Enumerable.Range(6, 14).Reverse().Select(n => $"cat/{n:D2}.jpg")], picked);
    }

    [Fact]
    public void The_sheet_shows_them_in_four_rows_of_four_and_no_mistake_leaves_no_sheet()
    {
        var file = _folder.Combine(MistakeSheet.FileName);

        Assert.Equal(16, MistakeSheet.Write(_index, _dogProbability, _delivered, file));
        using (var sheet = SKBitmap.Decode(file))
        {
            // Cells of 200 px, each above two lines of caption (its file, its P(dog)).
            Assert.Equal((800, 4 * 236), (sheet.Width, sheet.Height));
        }

        var allRight = _index.Entries.Select(e => e.Label == ImageLabel.Dog ? 0.9f : 0.1f).ToArray();
        Assert.Equal(0, MistakeSheet.Write(_index, allRight, _delivered, file));
        Assert.False(File.Exists(file), "the sheet of an earlier evaluation is not left to mislead");
    }

    public void Dispose() => _folder.Dispose();
}
