using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Dataflow;

public sealed class ImageCacheTests : IDisposable
{
    private readonly TempFolder _images = new();
    private readonly TempFolder _caches = new();

    public ImageCacheTests()
    {
        // Small and large images: the large ones are shrunk for a training cache (short side 32 x 1.2 = 39).
        for (var i = 0; i < 24; i++)
        {
            var (width, height) = i % 3 == 0 ? (20 + i, 16 + i / 2) : (150 + 7 * i, 100 + 5 * i);
            _images.Write($"{(i % 2 == 0 ? "cat" : "dog")}/{i:D3}.jpg", Images.Jpeg(width, height, seed: i, quality: 85));
        }
    }

    private InputPipelineOptions Options(CacheMode cache) =>
        new() { DecodeThreads = 2, BatchSize = 5, ImageSize = 32, Cache = cache, CacheFolder = _caches.Path };

    private ImageSource Source() => new(DatasetIndex.Scan(_images.Path, requireLabels: true));

    /// <summary>Each batch of a pass as (its rows' image indices, its pixel bytes, its labels).</summary>
    private static async Task<List<(int[] Rows, byte[] Pixels, float[] Labels)>> Pass(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch)
    {
        var batches = new List<(int[], byte[], float[])>();
        await foreach (var batch in pipeline.ReadAsync(source, kind, epoch, CancellationToken.None))
        {
            using (batch)
            {
                var pixels = Enumerable.Range(0, batch.Count).SelectMany(row => batch.Image(row).ToArray()).ToArray();
                batches.Add((batch.ImageIndices[..batch.Count], pixels, batch.Labels[..batch.Count].ToArray()));
            }
        }

        return batches;
    }

    private static void AssertSameBatches(List<(int[] Rows, byte[] Pixels, float[] Labels)> expected, List<(int[] Rows, byte[] Pixels, float[] Labels)> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Rows, actual[i].Rows);
            Assert.Equal(expected[i].Labels, actual[i].Labels);
            Assert.True(expected[i].Pixels.AsSpan().SequenceEqual(actual[i].Pixels), $"batch {i} has other pixels");
        }
    }

    private string SingleCacheFile() => Assert.Single(Directory.GetFiles(_caches.Path, "*.cache"));

    [Theory]
    [InlineData(nameof(CacheMode.Memory), nameof(PassKind.Training))]
    [InlineData(nameof(CacheMode.Memory), nameof(PassKind.Inference))]
    [InlineData(nameof(CacheMode.Disk), nameof(PassKind.Training))]
    [InlineData(nameof(CacheMode.Disk), nameof(PassKind.Inference))]
    public async Task Later_passes_neither_read_nor_decode_and_give_the_first_passes_pixels(string mode, string kind)
    {
        var passKind = Enum.Parse<PassKind>(kind);
        var source = Source();
        using var cached = PipelineHarness.Pipeline(Options(Enum.Parse<CacheMode>(mode)));
        using var filling = PipelineHarness.Pipeline(Options(CacheMode.Memory));

        await Pass(cached, source, passKind, epoch: 0);
        // What epoch 1 is when its pass fills a cache: decoded, fitted, then warped.
        var expected = await Pass(filling, source, passKind, epoch: 1);
        Directory.Delete(Path.Combine(_images.Path, "cat"), recursive: true);
        var second = await Pass(cached, source, passKind, epoch: 1);

        Assert.Equal((24, 24), (cached.DecodeStage.Images, cached.ReadStage.Images));
        Assert.Equal(0, cached.BadInput.Total);
        AssertSameBatches(expected, second);
    }

    [Fact]
    public async Task A_cache_changes_no_pixel_of_images_it_keeps_at_their_decoded_size()
    {
        var small = Source();
        var onlySmall = new ImageSource(small.Root, small.Entries.Where(e => int.Parse(Path.GetFileNameWithoutExtension(e.RelativePath)) % 3 == 0).ToList());
        using var uncached = PipelineHarness.Pipeline(Options(CacheMode.Off));
        using var cached = PipelineHarness.Pipeline(Options(CacheMode.Memory));

        foreach (var kind in new[] { PassKind.Training, PassKind.Inference })
        {
            for (var epoch = 0; epoch < 2; epoch++)
            {
                AssertSameBatches(await Pass(uncached, onlySmall, kind, epoch), await Pass(cached, onlySmall, kind, epoch));
            }
        }
    }

    [Fact]
    public async Task A_disk_cache_serves_a_later_run_with_the_pixels_its_first_run_made()
    {
        var source = Source();
        List<(int[], byte[], float[])> firstRun;
        using (var pipeline = PipelineHarness.Pipeline(Options(CacheMode.Disk)))
        {
            firstRun = await Pass(pipeline, source, PassKind.Training, epoch: 3);
        }

        var log = new StringWriter();
        using var later = PipelineHarness.Pipeline(Options(CacheMode.Disk), log);
        var laterRun = await Pass(later, source, PassKind.Training, epoch: 3);

        AssertSameBatches(firstRun, laterRun);
        Assert.Equal(0, later.DecodeStage.Images);
        Assert.DoesNotContain("rebuilding", log.ToString());
        Assert.Empty(Directory.GetFiles(_caches.Path, "*.part"));
    }

    public static TheoryData<string, string> Damage => new()
    {
        { "pixel", "damaged (image" },
        { "truncate", "truncated" },
        { "header", "damaged (its header" },
        { "index", "damaged (its index" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_disk_cache_is_rebuilt_with_one_warning_and_never_yields_its_pixels(string damage, string said)
    {
        var source = Source();
        List<(int[], byte[], float[])> good;
        using (var pipeline = PipelineHarness.Pipeline(Options(CacheMode.Disk)))
        {
            good = await Pass(pipeline, source, PassKind.Inference, epoch: 0);
        }

        var file = SingleCacheFile();
        var bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "pixel":
                bytes[4096 + 100] ^= 0x01;
                break;
            case "truncate":
                bytes = bytes[..^7];
                break;
            case "header":
                bytes[20] ^= 0x40;
                break;
            case "index":
                bytes[^20] ^= 0x01;
                break;
        }

        File.WriteAllBytes(file, bytes);
        var log = new StringWriter();
        using var later = PipelineHarness.Pipeline(Options(CacheMode.Disk), log);
        var rebuilt = await Pass(later, source, PassKind.Inference, epoch: 0);

        AssertSameBatches(good, rebuilt);
        Assert.Equal(24, later.DecodeStage.Images);
        var warning = Assert.Single(log.ToString().Split('\n'), line => line.Contains("rebuilding", StringComparison.Ordinal));
        Assert.Contains(said, warning);
        Assert.Equal(File.ReadAllBytes(file).Length, new FileInfo(file).Length);
        using var third = PipelineHarness.Pipeline(Options(CacheMode.Disk));
        AssertSameBatches(good, await Pass(third, source, PassKind.Inference, epoch: 0));
        Assert.Equal(0, third.DecodeStage.Images);
    }

    [Fact]
    public async Task Two_pipelines_filling_one_disk_cache_at_once_leave_a_whole_one()
    {
        var source = Source();
        using var one = PipelineHarness.Pipeline(Options(CacheMode.Disk));
        using var two = PipelineHarness.Pipeline(Options(CacheMode.Disk));

        var passes = await Task.WhenAll(Pass(one, source, PassKind.Training, 0), Pass(two, source, PassKind.Training, 0));

        AssertSameBatches(passes[0], passes[1]);
        Assert.Empty(Directory.GetFiles(_caches.Path, "*.part"));
        var log = new StringWriter();
        using var later = PipelineHarness.Pipeline(Options(CacheMode.Disk), log);
        AssertSameBatches(passes[0], await Pass(later, source, PassKind.Training, 0));
        Assert.Equal(0, later.DecodeStage.Images);
        Assert.Equal("", string.Concat(log.ToString().Split('\n').Where(line => !line.StartsWith("Caching ", StringComparison.Ordinal))).Trim());
    }

    [Fact]
    public async Task Bad_files_are_judged_once_and_counted_on_every_pass_as_without_a_cache()
    {
        using var folder = new TempFolder();
        BadImages.WriteTo(folder);
        var source = new ImageSource(DatasetIndex.Scan(folder.Path, requireLabels: true));
        var log = new StringWriter();
        using var pipeline = PipelineHarness.Pipeline(Options(CacheMode.Memory) with { MaxPixels = BadImages.MaxPixels }, log);

        for (var epoch = 0; epoch < 3; epoch++)
        {
            Assert.Equal(BadImages.Decodable.Length, (await Pass(pipeline, source, PassKind.Training, epoch)).Sum(batch => batch.Rows.Length));
        }

        // Every file but the empty one, which is judged on reading, went through the decoder once.
        Assert.Equal(BadImages.Decodable.Length + BadImages.Skipped.Count - 1, pipeline.DecodeStage.Images);
        foreach (var (path, reason) in BadImages.Skipped)
        {
            Assert.Equal(3, pipeline.BadInput.Count(reason));
            Assert.Single(log.ToString().Split('\n'), line => line.StartsWith($"skipped {path}: ", StringComparison.Ordinal));
        }
    }

    [SmallDiskFact]
    public async Task A_disk_cache_on_a_full_disk_is_dropped_with_one_warning_and_the_pass_goes_on()
    {
        var source = Source();
        using var kept = PipelineHarness.Pipeline(Options(CacheMode.Memory));
        using var disk = SmallDisk.Mount(kilobytes: 64);
        var log = new StringWriter();
        using var pipeline = PipelineHarness.Pipeline(Options(CacheMode.Disk) with { CacheFolder = disk.Path }, log);

        var first = await Pass(pipeline, source, PassKind.Training, epoch: 0);
        var second = await Pass(pipeline, source, PassKind.Training, epoch: 1);

        // Still the pixels of a cached run (each image fitted as a cache keeps it), decoded anew each pass.
        AssertSameBatches(await Pass(kept, source, PassKind.Training, epoch: 1), second);
        Assert.Equal(24, first.Sum(batch => batch.Rows.Length));
        var warning = Assert.Single(log.ToString().Split('\n'), line => line.Contains("could not be written", StringComparison.Ordinal));
        Assert.Contains("the run goes on without a cache", warning);
        Assert.Equal(48, pipeline.DecodeStage.Images);
        Assert.Empty(Directory.GetFiles(disk.Path));
    }

    [Fact]
    public void A_training_cache_keeps_the_detail_the_largest_zoom_asks_for_and_never_enlarges()
    {
        var layout = new CacheLayout(PassKind.Training, ImageSize: 64, FitMode.Stretch, Zoom: 0.2);

        Assert.Equal(77, layout.ShortSide);
        Assert.Equal((85, 77), layout.StoredSize(101, 91));
        Assert.Equal((77, 154), layout.StoredSize(100, 200));
        Assert.Equal((60, 50), layout.StoredSize(60, 50));
        Assert.Equal((64, 64), (layout with { Kind = PassKind.Inference }).StoredSize(101, 91));
    }

    public void Dispose()
    {
        _images.Dispose();
        _caches.Dispose();
    }
}
