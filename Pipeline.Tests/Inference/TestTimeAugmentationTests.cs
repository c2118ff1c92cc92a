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
        var mirrored = new byte[tile.Length];
        var back = new byte[tile.Length];

        new TileView(Mirror: true).Render(tile, mirrored, 3);
        new TileView(Mirror: true).Render(mirrored, back, 3);

        // Row 0 was pixels (0,1,2) (3,4,5) (6,7,8); the middle pixel of a row of three stays.
        Assert.Equal([6, 7, 8, 3, 4, 5, 0, 1, 2], mirrored[..9]);
        Assert.Equal([24, 25, 26, 21, 22, 23, 18, 19, 20], mirrored[18..]);
        Assert.Equal(tile, back);
    }

    [Fact]
    public void A_shift_moves_the_pixels_right_and_down_and_repeats_the_edge_into_the_gap()
    {
        // Pixel (x, y) of a 3x3 tile holds 10y + x in all three channels.
        byte[] tile = [.. Enumerable.Range(0, 9).SelectMany(i => Enumerable.Repeat((byte)(10 * (i / 3) + i % 3), 3))];
        var shifted = new byte[tile.Length];
        var back = new byte[tile.Length];

        new TileView(false, 1, 1).Render(tile, shifted, 3);
        new TileView(true, -1, -1).Render(tile, back, 3);

        Assert.Equal([0, 0, 1, 0, 0, 1, 10, 10, 11], Red(shifted));
        // Mirrored first (columns 2, 1, 0), then shifted left and up (columns 1, 0, 0; rows 1, 2, 2).
        Assert.Equal([11, 10, 10, 21, 20, 20, 21, 20, 20], Red(back));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("flipshift")]
    public async Task Gives_the_mean_of_the_networks_outputs_on_copies_of_the_image_made_as_each_view(string spelled)
    {
        var tta = Enum.Parse<TestTimeAugmentation>(spelled, ignoreCase: true);
        // PNG keeps pixels exactly, and at the network's own size nothing is resampled: each copy decodes to the very
        // tile the view makes of the first. The pattern's ramp runs left to right, so no picture is its own mirror.
        var views = tta.Views();
        const int pictures = 4;
        for (var seed = 0; seed < pictures; seed++)
        {
            using var picture = Images.Pattern(Side, Side, seed);
            for (var v = 0; v < views.Count; v++)
            {
                using var copy = Viewed(picture, views[v]);
                _folder.Write($"images/{seed}-view{v}.png", Images.Encode(copy, SKEncodedImageFormat.Png));
            }
        }

        var index = DatasetIndex.Scan(_folder.Combine("images"), requireLabels: false);
        using var device = BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 });
        using var network = Network.Create(ModelPresets.Get("compact"), Side, Side, device, new NetworkOptions { Seed = 7 });

        var plain = await PredictAsync(network, index, TestTimeAugmentation.None);
        var averaged = await PredictAsync(network, index, tta);

        for (var seed = 0; seed < pictures; seed++)
        {
            var copies = Enumerable.Range(0, views.Count).Select(v => plain[Position(index, $"{seed}-view{v}.png")]).ToList();
            Assert.True(copies.Max() - copies.Min() > 1e-4, $"the network tells picture {seed}'s views apart: {string.Join(", ", copies)}");
            Assert.Equal(copies.Average(), averaged[Position(index, $"{seed}-view0.png")], 1e-6);
        }
    }

    [Fact]
    public void Flipshift_is_the_image_and_its_mirror_each_as_is_and_shifted_one_pixel_diagonally_either_way()
    {
        Assert.Equal([TileView.Identity], TestTimeAugmentation.None.Views());
        Assert.Equal([TileView.Identity, new TileView(Mirror: true)], TestTimeAugmentation.Flip.Views());
        Assert.Equal(
            [new(false, 0, 0), new(false, 1, 1), new(false, -1, -1), new(true, 0, 0), new(true, 1, 1), new(true, -1, -1)],
            TestTimeAugmentation.FlipShift.Views());
    }

    private static async Task<float[]> PredictAsync(Network network, DatasetIndex index, TestTimeAugmentation tta)
    {
        // Batches of 3: full and partial batches both.
        using var pipeline = new InputPipeline(new InputPipelineOptions { BatchSize = 3, ImageSize = Side, DecodeThreads = 1 }, AlignedHostAllocator.Instance, TextWriter.Null);
        var (probabilities, delivered) = await Predictions.RunAsync(network, pipeline, new ImageSource(index), tta, new Progress<int>(), CancellationToken.None);
        Assert.All(delivered, Assert.True);
        return probabilities;
    }

    private static int Position(DatasetIndex index, string path) => index.Entries.ToList().FindIndex(e => e.RelativePath == path);

    private static byte[] Red(byte[] tile) => [.. tile.Where((_, i) => i % 3 == 0)];

    /// <summary>The view drawn pixel by pixel with Skia: mirrored, then shifted, the nearest edge pixel outside the picture.</summary>
    private static SKBitmap Viewed(SKBitmap picture, TileView view)
    {
        var copy = new SKBitmap(picture.Info);
        var (width, height) = (picture.Width, picture.Height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (fromX, fromY) = (Math.Clamp(x - view.ShiftX, 0, width - 1), Math.Clamp(y - view.ShiftY, 0, height - 1));
                copy.SetPixel(x, y, picture.GetPixel(view.Mirror ? width - 1 - fromX : fromX, fromY));
            }
        }

        return copy;
    }

    public void Dispose() => _folder.Dispose();
}
