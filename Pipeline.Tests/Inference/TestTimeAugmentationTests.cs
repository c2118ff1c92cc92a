using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Inference;

public sealed class TestTimeAugmentationTests : IDisposable
{
    private const int Side = 16;
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_mirror_swaps_each_rows_pixels_end_for_end_and_twice_is_no_change()
    {
        byte[] tile = [.. Enumerable.Range(0, 3 * 3 * 3).Select(i => (byte)i)];
        var mirrored = tile.ToArray();

        HorizontalMirror.Apply(mirrored, 3);

        // Row 0 was pixels (0,1,2) (3,4,5) (6,7,8); the middle pixel of a row of three stays.
        Assert.Equal([6, 7, 8, 3, 4, 5, 0, 1, 2], mirrored[..9]);
        Assert.Equal([24, 25, 26, 21, 22, 23, 18, 19, 20], mirrored[18..]);
        HorizontalMirror.Apply(mirrored, 3);
        Assert.Equal(tile, mirrored);
    }

    [Fact]
    public async Task Flip_gives_the_mean_of_the_networks_outputs_on_the_image_and_on_a_mirrored_copy()
    {
        // PNG keeps pixels exactly, and at the network's own size nothing is resampled: the mirrored
        // file decodes to the very tile the flip makes of the first. The pattern's ramp runs left to right.
        const int pictures = 5;
        for (var seed = 0; seed < pictures; seed++)
        {
            using var picture = Images.Pattern(Side, Side, seed);
            using var mirror = Mirrored(picture);
            _folder.Write($"images/{seed}.png", Images.Encode(picture, SKEncodedImageFormat.Png));
            _folder.Write($"images/{seed}-mirrored.png", Images.Encode(mirror, SKEncodedImageFormat.Png));
        }

        var index = DatasetIndex.Scan(_folder.Combine("images"), requireLabels: false);
        using var device = BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 });
        using var network = Network.Create(ModelPresets.Get("compact"), Side, Side, device, new NetworkOptions { Seed = 7 });

        var plain = await PredictAsync(network, index, TestTimeAugmentation.None);
        var flipped = await PredictAsync(network, index, TestTimeAugmentation.Flip);

        for (var seed = 0; seed < pictures; seed++)
        {
            var (image, mirror) = (Position(index, $"{seed}.png"), Position(index, $"{seed}-mirrored.png"));
            Assert.True(Math.Abs(plain[image] - plain[mirror]) > 1e-4, $"the network tells picture {seed} from its mirror: {plain[image]} against {plain[mirror]}");
            Assert.Equal((plain[image] + plain[mirror]) / 2, flipped[image], 1e-6);
            Assert.Equal(flipped[image], flipped[mirror], 1e-6);
        }
    }

    private static async Task<float[]> PredictAsync(Network network, DatasetIndex index, TestTimeAugmentation tta)
    {
        // Batches of 3 over 10 images: full and partial batches both.
        using var pipeline = new InputPipeline(new InputPipelineOptions { BatchSize = 3, ImageSize = Side, DecodeThreads = 1 }, AlignedHostAllocator.Instance, TextWriter.Null);
        var (probabilities, delivered) = await Predictions.RunAsync(network, pipeline, new ImageSource(index), tta, new Progress<int>(), CancellationToken.None);
        Assert.All(delivered, Assert.True);
        return probabilities;
    }

    private static int Position(DatasetIndex index, string path) => index.Entries.ToList().FindIndex(e => e.RelativePath == path);

    private static SKBitmap Mirrored(SKBitmap picture)
    {
        var mirror = new SKBitmap(picture.Info);
        for (var y = 0; y < picture.Height; y++)
        {
            for (var x = 0; x < picture.Width; x++)
            {
                mirror.SetPixel(picture.Width - 1 - x, y, picture.GetPixel(x, y));
            }
        }

        return mirror;
    }

    public void Dispose() => _folder.Dispose();
}
