using SkiaSharp;

namespace CatsDogs.Pipeline.Plots;

/// <summary>
/// A PNG grid of thumbnails, each above its lines of caption, for the images a report names (explore's
/// most skewed, evaluate's most confident mistakes) so that a user can see them at a glance.
/// </summary>
internal static class ContactSheet
{
    /// <summary>One cell: the image file and the lines written under it.</summary>
    public sealed record Tile(string ImagePath, IReadOnlyList<string> Caption);

    private const int ThumbnailSide = 200;
    private const int LineHeight = 15;
    private const int MaxCaptionCharacters = 30;

    /// <summary>Writes <paramref name="tiles"/> in rows of <paramref name="columns"/>; an image that cannot be decoded leaves its cell blank above its caption.</summary>
    public static void Write(IReadOnlyList<Tile> tiles, string file, int columns)
    {
        var captionHeight = 6 + LineHeight * tiles.Select(tile => tile.Caption.Count).DefaultIfEmpty(1).Max();
        var rows = Math.Max(1, (tiles.Count + columns - 1) / columns);
        using var sheet = new SKBitmap(columns * ThumbnailSide, rows * (ThumbnailSide + captionHeight));
        using var canvas = new SKCanvas(sheet);
        canvas.Clear(SKColors.White);
        using var typeface = PlotFonts.File is { } fontFile ? SKTypeface.FromFile(fontFile) : null;
        using var font = new SKFont(typeface ?? SKTypeface.Default, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var i = 0; i < tiles.Count; i++)
        {
            var cell = new SKRect(i % columns * ThumbnailSide, i / columns * (ThumbnailSide + captionHeight), 0, 0);
            using var image = SKBitmap.Decode(tiles[i].ImagePath);
            if (image is not null)
            {
                var scale = Math.Min((float)(ThumbnailSide - 8) / image.Width, (float)(ThumbnailSide - 8) / image.Height);
                var (w, h) = (image.Width * scale, image.Height * scale);
                var target = SKRect.Create(cell.Left + (ThumbnailSide - w) / 2, cell.Top + (ThumbnailSide - h) / 2, w, h);
                canvas.DrawBitmap(image, target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), null);
            }

            for (var line = 0; line < tiles[i].Caption.Count; line++)
            {
                var baseline = cell.Top + ThumbnailSide + 14 + line * LineHeight;
                canvas.DrawText(Ellipsize(tiles[i].Caption[line]), cell.Left + 4, baseline, SKTextAlign.Left, font, ink);
            }
        }

        using var png = sheet.Encode(SKEncodedImageFormat.Png, 100);
        using var output = File.Create(file);
        png.SaveTo(output);
    }

    /// <summary>Keeps a long caption's end, where a path's file name is, within the cell.</summary>
    private static string Ellipsize(string text) =>
        text.Length <= MaxCaptionCharacters ? text : "..." + text[^(MaxCaptionCharacters - 3)..];
}
