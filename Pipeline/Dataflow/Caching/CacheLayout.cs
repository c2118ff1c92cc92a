namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// What a cache keeps of each image for one kind of pass. Training images are kept decoded, as
/// RGBA, with the shorter side at the image size x (1 + zoom) but never above the decoded size:
/// the most detail the largest zoom can ask for, so each pass still draws its own augmentation.
/// Inference images are kept as the final RGB tile, since every pass renders them the same.
/// </summary>
internal sealed record CacheLayout(PassKind Kind, int ImageSize, FitMode Fit, double Zoom)
{
    public static CacheLayout For(PassKind kind, InputPipelineOptions options) =>
        new(kind, options.ImageSize, options.Fit, kind == PassKind.Training ? options.Augment.Zoom : 0);

    public int BytesPerPixel => Kind == PassKind.Training ? 4 : 3;

    /// <summary>The shorter side a training image is stored at, when its decoded one is longer.</summary>
    public int ShortSide => (int)Math.Ceiling(ImageSize * (1 + Zoom));

    /// <summary>The stored size of an image decoded at <paramref name="width"/> x <paramref name="height"/>.</summary>
    public (int Width, int Height) StoredSize(int width, int height)
    {
        if (Kind == PassKind.Inference)
        {
            return (ImageSize, ImageSize);
        }

        var shorter = Math.Min(width, height);
        if (shorter <= ShortSide)
        {
            return (width, height);
        }

        var scale = (double)ShortSide / shorter;
        return width <= height
            ? (ShortSide, Math.Max(ShortSide, (int)Math.Round(height * scale)))
            : (Math.Max(ShortSide, (int)Math.Round(width * scale)), ShortSide);
    }

    /// <summary>Bytes for <paramref name="images"/> images of a 4:3 shape, the common photo's, before any is decoded.</summary>
    public long EstimateBytes(int images) => Kind == PassKind.Inference
        ? (long)images * ImageSize * ImageSize * BytesPerPixel
        : (long)images * ShortSide * (ShortSide * 4 / 3) * BytesPerPixel;
}
