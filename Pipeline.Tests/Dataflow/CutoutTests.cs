using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Dataflow;

public sealed class CutoutTests : IDisposable
{
    private const int Side = 32;
    private readonly TempFolder _folder = new();

    [Fact]
    public void Paints_the_part_of_the_square_inside_the_tile_grey_and_nothing_else()
    {
        var tile = Enumerable.Repeat((byte)7, 8 * 8 * 3).ToArray();

        // Two columns of it hang over the left edge, one row over the bottom.
        new CutoutSquare(Left: -2, Top: 5, Side: 4).Apply(tile, 8);

        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                var inside = x < 2 && y >= 5;
                Assert.All(tile.AsSpan((y * 8 + x) * 3, 3).ToArray(), value => Assert.Equal(inside ? CutoutSquare.Grey : 7, value));
            }
        }
    }

    [Fact]
    public void Draws_are_reproducible_spread_over_the_tile_and_leave_the_affine_draws_as_they_were()
    {
        var squares = Enumerable.Range(0, 2000).Select(i => CutoutSquare.Draw(0.25, Side, 42, 3, i)!.Value).ToArray();

        Assert.Equal(squares, Enumerable.Range(0, 2000).Select(i => CutoutSquare.Draw(0.25, Side, 42, 3, i)!.Value));
        Assert.NotEqual(squares, Enumerable.Range(0, 2000).Select(i => CutoutSquare.Draw(0.25, Side, 42, 4, i)!.Value));
        Assert.All(squares, s => Assert.Equal(8, s.Side));
        // The centre (Left + 4) is any pixel of the tile, so the square may hang over any edge.
        Assert.All(squares, s => Assert.InRange(s.Left + 4, 0, Side - 1));
        Assert.Equal(Side, squares.Select(s => s.Top + 4).Distinct().Count());
        Assert.InRange(squares.Count(s => s.Left + 4 < Side / 2), 900, 1100);
        Assert.Null(CutoutSquare.Draw(0.01, Side, 42, 3, 0));
        Assert.Null(CutoutSquare.Draw(0, Side, 42, 3, 0));
        var affine = new AugmentOptions(Flip: true, Shear: 0.2, Zoom: 0.2, Translate: 0.125);
        Assert.Equal(AffineParameters.Draw(affine, 42, 3, 5), AffineParameters.Draw(affine with { Cutout = 0.25 }, 42, 3, 5));
    }

    [Fact]
    public async Task Training_tiles_get_one_grey_square_and_validation_tiles_none()
    {
        // Solid red PNGs: a pixel of the tile is grey only where the cutout painted it.
        using var red = new SKBitmap(Side, Side);
        red.Erase(SKColors.Red);
        for (var i = 0; i < 40; i++)
        {
            _folder.Write($"{(i % 2 == 0 ? "cat" : "dog")}/{i}.png", Images.Encode(red, SKEncodedImageFormat.Png));
        }

        var source = new ImageSource(DatasetIndex.Scan(_folder.Path, requireLabels: true));
        var options = new InputPipelineOptions
        {
            BatchSize = 8, ImageSize = Side, DecodeThreads = 2, Augment = new AugmentOptions(Flip: false, Shear: 0, Zoom: 0, Cutout: 0.25),
        };
        using var pipeline = PipelineHarness.Pipeline(options);

        var training = await GreyPixelsOfEachTile(pipeline, source, PassKind.Training);
        var validation = await GreyPixelsOfEachTile(pipeline, source, PassKind.Inference);

        Assert.Equal(40, training.Count);
        // An 8x8 square whose centre is in the tile: at least its 4x4 quarter is inside.
        Assert.All(training, grey => Assert.InRange(grey, 16, 64));
        Assert.Contains(64, training);
        Assert.All(validation, grey => Assert.Equal(0, grey));
    }

    private static async Task<List<int>> GreyPixelsOfEachTile(InputPipeline pipeline, ImageSource source, PassKind kind)
    {
        var counts = new List<int>();
        await foreach (var batch in pipeline.ReadAsync(source, kind, 0, CancellationToken.None))
        {
            using (batch)
            {
                for (var row = 0; row < batch.Count; row++)
                {
                    var tile = batch.Image(row).ToArray();
                    counts.Add(Enumerable.Range(0, Side * Side).Count(p => tile[3 * p] == CutoutSquare.Grey && tile[3 * p + 1] == CutoutSquare.Grey && tile[3 * p + 2] == CutoutSquare.Grey));
                }
            }
        }

        return counts;
    }

    public void Dispose() => _folder.Dispose();
}
