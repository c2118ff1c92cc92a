using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Explore;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Explore;

public sealed class ExploreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Exploration_writes_histograms_the_most_skewed_images_and_the_corrupt_files()
    {
        BadImages.WriteTo(_folder);
        _folder.Write("dog/wide.jpg", Images.Jpeg(300, 60));
        _folder.Write("cat/tall.jpg", Images.Jpeg(40, 160));
        var index = DatasetIndex.Scan(_folder.Path, requireLabels: true);
        var run = RunFolder.CreateNew(_folder.Combine("runs"), "explore-test", "explore");

        var facts = DatasetExplorer.Inspect(index, new SkiaImageDecoder(), BadImages.MaxPixels, threads: 2, new Progress<int>());
        var summary = ExploreReport.Write(index, facts, run, skewedCount: 3);

        foreach (var figure in new[] { "widths.png", "heights.png", "most-skewed.png" })
        {
            using var png = SKBitmap.Decode(Path.Combine(run.Figures, figure));
            Assert.True(png is { Width: > 100, Height: > 100 }, $"{figure} is a real picture");
        }

        var skewed = File.ReadAllLines(run.File("most-skewed.txt")).Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal(3, skewed.Length);
        Assert.StartsWith("dog/wide.jpg  # 300x60, 5.00", skewed[0]);
        Assert.StartsWith("cat/tall.jpg  # 40x160, 4.00", skewed[1]);

        var corrupt = File.ReadAllLines(run.File("corrupt.txt")).Select(l => l.Split('\t')[0]);
        Assert.Equal(BadImages.Skipped.Keys.Order(StringComparer.Ordinal), corrupt);
        Assert.Contains($"corrupt files: {BadImages.Skipped.Count}", summary);

        // The list is ready to be used as an exclude list.
        var without = index.Without(ExcludeList.Load(run.File("most-skewed.txt")));
        Assert.Equal(index.Entries.Count - 3, without.Entries.Count);
        Assert.DoesNotContain(without.Entries, e => e.RelativePath == "dog/wide.jpg");
    }

    [Fact]
    public void Square_images_are_not_listed_as_skewed()
    {
        _folder.Write("cat/1.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("dog/2.jpg", Images.Jpeg(32, 32, seed: 2));
        var index = DatasetIndex.Scan(_folder.Path, requireLabels: true);
        var run = RunFolder.CreateNew(_folder.Combine("runs"), "square", "explore");

        var facts = DatasetExplorer.Inspect(index, new SkiaImageDecoder(), BadImages.MaxPixels, threads: 1, new Progress<int>());
        var summary = ExploreReport.Write(index, facts, run, skewedCount: 10);

        Assert.Contains("most skewed: none, every image is square", summary);
        Assert.All(File.ReadAllLines(run.File("most-skewed.txt")), line => Assert.StartsWith("#", line));
        Assert.False(File.Exists(Path.Combine(run.Figures, "most-skewed.png")), "no blank contact sheet");
    }

    [Fact]
    public void Run_folder_names_are_never_reused()
    {
        RunFolder.CreateNew(_folder.Path, "taken", "explore");
        File.WriteAllText(Path.Combine(_folder.Path, "taken", "summary.txt"), "earlier run");

        var error = Assert.Throws<CatsDogs.Pipeline.Cli.CommandLineError>(() => RunFolder.CreateNew(_folder.Path, "taken", "explore"));

        Assert.Contains("already exists", error.Message);
        Assert.Equal("earlier run", File.ReadAllText(Path.Combine(_folder.Path, "taken", "summary.txt")));
    }

    public void Dispose() => _folder.Dispose();
}
