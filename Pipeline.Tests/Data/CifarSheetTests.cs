using CatsDogs.Pipeline.Data.Cifar;
using SkiaSharp;

namespace CatsDogs.Tests.Data;

public sealed class CifarSheetTests
{
    [Fact]
    public void Each_sheet_row_becomes_one_32x32_image_in_row_major_order()
    {
        // Three images; pixel p of row r gets the colour (r, p % 256, p / 256).
        using var sheet = new SKBitmap(new SKImageInfo(1024, 3, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (var row = 0; row < 3; row++)
        {
            for (var p = 0; p < 1024; p++)
            {
                sheet.SetPixel(p, row, new SKColor((byte)row, (byte)(p % 256), (byte)(p / 256)));
            }
        }

        Assert.Equal(3, CifarSheet.ImageCount(sheet));
        for (var row = 0; row < 3; row++)
        {
            using var image = CifarSheet.Image(sheet, row);
            Assert.Equal((32, 32), (image.Width, image.Height));
            foreach (var (x, y) in new[] { (0, 0), (31, 0), (0, 1), (5, 17), (31, 31) })
            {
                var p = y * 32 + x;
                Assert.Equal(new SKColor((byte)row, (byte)(p % 256), (byte)(p / 256)), image.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Sheet_of_the_wrong_width_is_refused()
    {
        using var sheet = new SKBitmap(1000, 2);

        Assert.Throws<InvalidDataException>(() => CifarSheet.ImageCount(sheet));
    }
}
