using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Hosting;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Bench;

public sealed class KaggleSizedCorpusTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void The_corpus_holds_both_classes_at_kaggle_sizes_and_a_seed_repeats_it()
    {
        var source = Source(perClass: 4);

        Assert.Equal(4, KaggleSizedCorpus.Write(source, _folder.Combine("first"), 4, seed: 7, new Progress<int>(), CancellationToken.None));
        KaggleSizedCorpus.Write(source, _folder.Combine("again"), 4, seed: 7, new Progress<int>(), CancellationToken.None);

        var corpus = DatasetIndex.Scan(_folder.Combine("first"), requireLabels: true);
        Assert.Equal(2, corpus.Count(ImageLabel.Cat));
        Assert.Equal(2, corpus.Count(ImageLabel.Dog));
        var sizes = corpus.Entries.Select(entry => Size(corpus.FullPath(entry))).ToList();
        Assert.All(sizes, size =>
        {
            Assert.InRange(size.Width, 320, 485);
            Assert.InRange(size.Height, 290, 436);
        });
        Assert.Equal(sizes, corpus.Entries.Select(entry => Size(_folder.Combine("again", entry.RelativePath))));
    }

    [Fact]
    public void A_cancelled_corpus_leaves_nothing_behind()
    {
        var source = Source(perClass: 2);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<int>(written => cancel.Cancel());

        Assert.Throws<OperationCanceledException>(() =>
            KaggleSizedCorpus.Write(source, _folder.Combine("out", "corpus"), 4, seed: 1, progress, cancel.Token));

        Assert.False(Directory.Exists(_folder.Combine("out")));
    }

    [Fact]
    public void A_png_and_a_jpeg_of_one_name_become_two_files()
    {
        _folder.Write("data/cat/a.jpg", Images.Jpeg(32, 32, seed: 1));
        _folder.Write("data/cat/a.png", Png(seed: 2));
        _folder.Write("data/dog/b.jpeg", Images.Jpeg(32, 32, seed: 3));
        var source = DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true);

        Assert.Equal(3, KaggleSizedCorpus.Write(source, _folder.Combine("out"), 3, seed: 1, new Progress<int>(), CancellationToken.None));

        var written = Directory.EnumerateFiles(_folder.Combine("out"), "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(_folder.Combine("out"), path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["cat/a.jpg", "cat/a.png.jpg", "dog/b.jpeg"], written);
    }

    [Fact]
    public void Two_images_that_would_share_a_name_stop_the_corpus_and_leave_nothing()
    {
        _folder.Write("data/cat/a.png", Png(seed: 1));
        _folder.Write("data/cat/a.png.jpg", Images.Jpeg(32, 32, seed: 2));
        _folder.Write("data/dog/b.jpg", Images.Jpeg(32, 32, seed: 3));
        var source = DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true);

        var error = Assert.Throws<DatasetException>(() =>
            KaggleSizedCorpus.Write(source, _folder.Combine("out"), 3, seed: 1, new Progress<int>(), CancellationToken.None));

        Assert.Contains("'cat/a.png' and 'cat/a.png.jpg' would both be written", error.Message);
        Assert.False(Directory.Exists(_folder.Combine("out")));
    }

    public void Dispose() => _folder.Dispose();

    private DatasetIndex Source(int perClass)
    {
        for (var i = 0; i < perClass; i++)
        {
            _folder.Write($"data/cat/{i}.jpg", Images.Jpeg(32, 32, seed: i));
            _folder.Write($"data/dog/{i}.jpg", Images.Jpeg(32, 32, seed: 100 + i));
        }

        return DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true);
    }

    private static byte[] Png(int seed)
    {
        using var bitmap = Images.Pattern(32, 32, seed);
        return Images.Encode(bitmap, SKEncodedImageFormat.Png);
    }

    private static (int Width, int Height) Size(string path)
    {
        using var codec = SKCodec.Create(path);
        return (codec.Info.Width, codec.Info.Height);
    }
}
