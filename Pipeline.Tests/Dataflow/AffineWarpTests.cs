using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Dataflow;

public sealed class AffineWarpTests
{
    private const int Size = 64;

    private static byte[] Render(SKBitmap source, FitMode fit, AffineParameters parameters)
    {
        var output = new byte[Size * Size * 3];
        AffineWarp.Render(source.GetPixelSpan(), source.Width, source.Height, fit, parameters, output, Size);
        return output;
    }

    /// <summary>Skia's own bilinear resize of a region, as RGB: an independent reference.</summary>
    private static byte[] SkiaResize(SKBitmap source, SKRectI region)
    {
        using var subset = new SKBitmap();
        Assert.True(source.ExtractSubset(subset, region));
        using var copy = subset.Copy();
        using var resized = copy.Resize(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear));
        var rgba = resized.GetPixelSpan();
        var rgb = new byte[Size * Size * 3];
        for (var i = 0; i < Size * Size; i++)
        {
            rgba.Slice(i * 4, 3).CopyTo(rgb.AsSpan(i * 3));
        }

        return rgb;
    }

    private static int MaxDifference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static byte At(byte[] image, int x, int y, int channel) => image[(y * Size + x) * 3 + channel];

    [Theory]
    [InlineData(48, 40)]
    [InlineData(32, 32)]
    [InlineData(150, 90)]
    public void Zoom_1_and_shear_0_is_the_plain_resize(int width, int height)
    {
        using var source = Images.Pattern(width, height, seed: 3);

        var warped = Render(source, FitMode.Stretch, new AffineParameters(false, 0, 1, 1));

        Assert.InRange(MaxDifference(warped, SkiaResize(source, new SKRectI(0, 0, width, height))), 0, 1);
    }

    [Fact]
    public void Crop_takes_the_centred_square()
    {
        using var source = Images.Pattern(120, 80, seed: 5);

        var warped = Render(source, FitMode.Crop, AffineParameters.Identity);

        Assert.InRange(MaxDifference(warped, SkiaResize(source, new SKRectI(20, 0, 100, 80))), 0, 1);
    }

    [Fact]
    public void Flip_mirrors_the_image()
    {
        using var source = Images.Pattern(70, 50, seed: 2);

        var plain = Render(source, FitMode.Stretch, AffineParameters.Identity);
        var flipped = Render(source, FitMode.Stretch, new AffineParameters(true, 0, 1, 1));

        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    Assert.InRange(At(flipped, x, y, c) - At(plain, Size - 1 - x, y, c), -1, 1);
                }
            }
        }

        Assert.True(At(plain, 0, 10, 0) < 10 && At(flipped, 0, 10, 0) > 245, "The red ramp runs the other way after a flip.");
    }

    [Fact]
    public void Zoom_magnifies_about_the_centre()
    {
        using var source = Images.Pattern(64, 64);

        var zoomed = Render(source, FitMode.Stretch, new AffineParameters(false, 0, 2, 2));

        // With 2x magnification the left edge of the output shows the source at a quarter of its width.
        Assert.InRange(At(zoomed, 0, 32, 0), 60, 68);
        Assert.InRange(At(zoomed, Size - 1, 32, 0), 187, 195);
        Assert.InRange(At(zoomed, 32, 0, 1), 60, 68);
    }

    [Fact]
    public void Shear_shifts_rows_in_proportion_to_their_distance_from_the_centre()
    {
        using var source = Images.Pattern(64, 64);

        var sheared = Render(source, FitMode.Stretch, new AffineParameters(false, 0.25f, 1, 1));

        // x' = x + s·y: the top row reads further right in the source than the bottom row, by s·size.
        var shift = At(sheared, 32, 0, 0) - At(sheared, 32, Size - 1, 0);
        Assert.InRange(shift, 60, 68);
        Assert.InRange(At(sheared, 32, 32, 0), 124, 132);
    }

    [Fact]
    public void A_shift_moves_the_image_by_that_share_of_the_side_in_whole_pixels_and_repeats_the_edge()
    {
        using var source = Images.Pattern(64, 64);
        var plain = Render(source, FitMode.Stretch, AffineParameters.Identity);

        // 8.32 of 64 pixels right and 3.84 down move it by 8 and 4: the output at (x, y) shows what the plain one does at
        // (x - 8, y - 4), unblended.
        var shifted = Render(source, FitMode.Stretch, new AffineParameters(false, 0, 1, 1, ShiftX: 0.13f, ShiftY: 0.06f));

        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var (fromX, fromY) = (Math.Max(x - 8, 0), Math.Max(y - 4, 0));
                for (var c = 0; c < 3; c++)
                {
                    Assert.True(At(shifted, x, y, c) == At(plain, fromX, fromY, c), $"({x}, {y}) channel {c}: {At(shifted, x, y, c)} against {At(plain, fromX, fromY, c)}");
                }
            }
        }
    }

    [WarpPathFact(WarpPath.Vector256)]
    public void The_256_bit_path_writes_the_scalar_bytes() => AssertSameBytesAsScalar(WarpPath.Vector256, seed: 256);

    [WarpPathFact(WarpPath.Vector512)]
    public void The_512_bit_path_writes_the_scalar_bytes() => AssertSameBytesAsScalar(WarpPath.Vector512, seed: 512);

    /// <summary>
    /// Random maps, fits, sources and tile sizes through both loops. The shapes cover one-pixel
    /// rows and columns (every tap clamped), sources smaller and larger than the tile, and sources
    /// too wide for the 32-bit lanes; tile sizes are often not a multiple of the vector width.
    /// </summary>
    private static void AssertSameBytesAsScalar(WarpPath path, int seed)
    {
        const int Guard = 64;
        (int Width, int Height)[] shapes = [(1, 1), (1, 9), (13, 1), (2, 2), (3, 5), (7, 31), (32, 32), (100, 90), (90, 100), (300, 200), (240, 3), (40_000, 2)];
        var random = new Random(seed);
        for (var trial = 0; trial < 600; trial++)
        {
            var (width, height) = trial < 2 * shapes.Length ? shapes[trial % shapes.Length] : (random.Next(1, 160), random.Next(1, 160));
            var source = new byte[width * height * 4];
            random.NextBytes(source);
            var size = random.Next(8, 97);
            var fit = random.Next(2) == 0 ? FitMode.Stretch : FitMode.Crop;
            var parameters = new AffineParameters(
                random.Next(2) == 1, (float)(random.NextDouble() * 2 - 1), (float)(0.1 + random.NextDouble() * 1.8), (float)(0.1 + random.NextDouble() * 1.8),
                (float)(random.NextDouble() - 0.5), (float)(random.NextDouble() - 0.5));

            var expected = new byte[size * size * 3 + Guard];
            var actual = new byte[size * size * 3 + Guard];
            expected.AsSpan().Fill(0xA5);
            actual.AsSpan().Fill(0xA5);
            AffineWarp.Render(source, width, height, fit, parameters, expected, size, WarpPath.Scalar);
            AffineWarp.Render(source, width, height, fit, parameters, actual, size, path);

            var first = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(
                first == expected.Length,
                $"Trial {trial}: {width}x{height} -> {size}, {fit}, {parameters}: byte {first} (pixel {first / 3}) differs.");
        }
    }

    [Fact]
    public void Augmentation_draws_are_reproducible_and_within_their_ranges()
    {
        var options = new AugmentOptions(Flip: true, Shear: 0.2, Zoom: 0.2, Translate: 0.125);
        var draws = Enumerable.Range(0, 2000).Select(i => AffineParameters.Draw(options, 42, 3, i)).ToArray();

        Assert.Equal(draws, Enumerable.Range(0, 2000).Select(i => AffineParameters.Draw(options, 42, 3, i)));
        Assert.NotEqual(draws, Enumerable.Range(0, 2000).Select(i => AffineParameters.Draw(options, 42, 4, i)));
        Assert.All(draws, d => Assert.InRange(d.Shear, -0.2f, 0.2f));
        Assert.All(draws, d => Assert.InRange(d.ZoomX, 0.8f, 1.2f));
        Assert.All(draws, d => Assert.InRange(d.ShiftY, -0.125f, 0.125f));
        Assert.InRange(draws.Count(d => d.ShiftX > 0.0625f), 400, 600);
        // Translation draws after the rest, so a run without it gets the draws it always had.
        Assert.Equal(draws.Select(d => d with { ShiftX = 0, ShiftY = 0 }), Enumerable.Range(0, 2000).Select(i => AffineParameters.Draw(options with { Translate = 0 }, 42, 3, i)));
        Assert.InRange(draws.Count(d => d.Flip), 900, 1100);
        Assert.Equal(AffineParameters.Identity, AffineParameters.Draw(AugmentOptions.None, 42, 3, 7));
    }
}

/// <summary>A fact for one of <see cref="AffineWarp"/>'s inner loops; skipped, saying so, where this machine cannot run it.</summary>
internal sealed class WarpPathFactAttribute : FactAttribute
{
    public WarpPathFactAttribute(WarpPath path)
    {
        if (!AffineWarp.IsSupported(path))
        {
            Skip = $"this machine cannot run the {path} loop";
        }
    }
}
