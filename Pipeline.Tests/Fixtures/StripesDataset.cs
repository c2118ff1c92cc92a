using SkiaSharp;

namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// A separable data set as real JPEG files: "cats" have horizontal stripes, "dogs" vertical
/// ones, with random phase, period and colours so the network has to learn orientation.
/// </summary>
internal static class StripesDataset
{
    public static void Write(TempFolder folder, string relativeRoot, int perClass, int side = 24, int seed = 1)
    {
        var random = new Random(seed);
        for (var i = 0; i < perClass * 2; i++)
        {
            var dog = i % 2 == 1;
            var period = random.Next(4, 9);
            var phase = random.Next(period);
            var light = new SKColor((byte)random.Next(170, 256), (byte)random.Next(170, 256), (byte)random.Next(170, 256));
            var dark = new SKColor((byte)random.Next(0, 80), (byte)random.Next(0, 80), (byte)random.Next(0, 80));
            using var bitmap = new SKBitmap(side, side);
            for (var y = 0; y < side; y++)
            {
                for (var x = 0; x < side; x++)
                {
                    var along = dog ? x : y;
                    bitmap.SetPixel(x, y, (along + phase) % period < period / 2 ? dark : light);
                }
            }

            folder.Write($"{relativeRoot}/{(dog ? "dog" : "cat")}/{i:D4}.jpg", Images.Encode(bitmap, SKEncodedImageFormat.Jpeg, 92));
        }
    }
}
