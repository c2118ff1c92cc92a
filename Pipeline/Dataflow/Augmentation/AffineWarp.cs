namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// Resamples a decoded RGBA image straight to the square network input through one affine map:
/// the fit (stretch or centre crop), then flip, shear and zoom about the centre, then a shift by whole pixels. Bilinear, with
/// edge pixels repeated outside the image (Keras' fill_mode='nearest').
/// <para>
/// It is ours rather than Skia's because Skia's DrawBitmap costs a fixed 50–75 µs per image, most
/// of the budget on 32x32 data, and because integer arithmetic gives the same bytes on every
/// machine, which resumed runs rely on. Weights are 8-bit fixed point and each pixel's four
/// channels are blended two at a time in one 32-bit word (red with blue, green with alpha).
/// </para>
/// <para>
/// The per-pixel loop has vector forms (AffineWarp.Vector.cs) that do the same integer arithmetic
/// 8 or 16 pixels at a time, so every machine still writes the same bytes, about 4x faster.
/// </para>
/// </summary>
internal static partial class AffineWarp
{
    private const int One = 256;
    private const int FractionBits = 16;
    private const long FixedOne = 1L << FractionBits;
    private const uint EvenChannels = 0x00FF00FF;
    private const uint Half = 0x00800080;

    private static WarpPath FastestPath { get; } =
        IsSupported(WarpPath.Vector512) ? WarpPath.Vector512 : IsSupported(WarpPath.Vector256) ? WarpPath.Vector256 : WarpPath.Scalar;

    /// <param name="rgba">The source, 4 bytes a pixel in R, G, B, A order (alpha ignored: Skia's premultiplied values are the colour over black).</param>
    /// <param name="rgb">The destination, <paramref name="size"/>² pixels of 3 bytes.</param>
    public static void Render(
        ReadOnlySpan<byte> rgba, int width, int height, FitMode fit, AffineParameters p, Span<byte> rgb, int size) =>
        Render(rgba, width, height, fit, p, rgb, size, FastestPath);

    /// <summary><see cref="Render(ReadOnlySpan{byte}, int, int, FitMode, AffineParameters, Span{byte}, int)"/> through a chosen inner loop, which this machine must support.</summary>
    internal static unsafe void Render(
        ReadOnlySpan<byte> rgba, int width, int height, FitMode fit, AffineParameters p, Span<byte> rgb, int size, WarpPath path)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rgba.Length, width * height * 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(rgb.Length, size * size * 3);

        var regionWidth = fit == FitMode.Crop ? Math.Min(width, height) : width;
        var regionHeight = fit == FitMode.Crop ? Math.Min(width, height) : height;

        // The inverse map, destination to source: src = centre + S⁻¹·A⁻¹·(dst - size/2 - shift), with
        // S the fit's scale and A = flip·shear·zoom. Its lower-left entry is 0, so each output
        // row reads from one source row position.
        var flip = p.Flip ? -1.0 : 1.0;
        var m00 = (double)regionWidth / size * flip / p.ZoomX;
        var m01 = -(double)regionWidth / size * p.Shear / p.ZoomX;
        var m11 = (double)regionHeight / size / p.ZoomY;
        var half = size * 0.5;
        // Whole output pixels: a fractional shift would blend each pixel with its neighbour, a blur the unshifted validation
        // images never have (at CIFAR's own size a whole-pixel shift moves the pixels unchanged, as a padded crop does).
        var (shiftX, shiftY) = (Math.Round(p.ShiftX * size), Math.Round(p.ShiftY * size));

        fixed (byte* sourceBytes = rgba)
        fixed (byte* destination = rgb)
        {
            var source = (uint*)sourceBytes;
            var output = destination;
            var lastColumn = width - 1;

            // Source x positions step by m00 along a row: 48.16 fixed point makes each step one add
            // and each floor one shift, which is most of the per-pixel cost.
            var step = (long)Math.Round(m00 * (double)FixedOne);
            for (var y = 0; y < size; y++)
            {
                var dy = y + 0.5 - half - shiftY;
                var (rowA, rowB, wy) = Taps(height * 0.5 + m11 * dy - 0.5, height);
                var top = source + rowA * width;
                var bottom = source + rowB * width;

                var sx = (long)Math.Round((width * 0.5 + m00 * (0.5 - half - shiftX) + m01 * dy - 0.5) * FixedOne);
                var x = path == WarpPath.Scalar ? 0 : RenderVector(path, top, bottom, lastColumn, wy, sx, step, size, output);
                for (sx += x * step, output += 3 * x; x < size; x++, sx += step, output += 3)
                {
                    var left = (int)(sx >> FractionBits);
                    var wx = (uint)(((sx & (FixedOne - 1)) + (FixedOne / One / 2)) >> (FractionBits - 8));
                    var right = Math.Min(left + 1, lastColumn);
                    left = Math.Clamp(left, 0, lastColumn);
                    right = Math.Max(right, 0);
                    var pixel = Lerp(Lerp(top[left], top[right], wx), Lerp(bottom[left], bottom[right], wx), wy);
                    output[0] = (byte)pixel;
                    output[1] = (byte)(pixel >> 8);
                    output[2] = (byte)(pixel >> 16);
                }
            }
        }
    }

    /// <summary>The two neighbours of a sample position along one axis, clamped to the image, and the weight of the second.</summary>
    private static (int First, int Second, uint Weight) Taps(double position, int length)
    {
        var floor = Math.Floor(position);
        var first = (int)floor;
        var weight = (uint)((position - floor) * One + 0.5);
        return (Math.Clamp(first, 0, length - 1), Math.Clamp(first + 1, 0, length - 1), weight);
    }

    /// <summary>a·(1-w) + b·w per channel, w in 256ths, rounded.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Lerp(uint a, uint b, uint weight)
    {
        var inverse = One - weight;
        var redBlue = (((a & EvenChannels) * inverse + (b & EvenChannels) * weight + Half) >> 8) & EvenChannels;
        var greenAlpha = ((((a >> 8) & EvenChannels) * inverse + ((b >> 8) & EvenChannels) * weight + Half) >> 8) & EvenChannels;
        return redBlue | (greenAlpha << 8);
    }
}
