namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// Cutout (DeVries and Taylor, 2017): a square of a training tile painted mid grey, so that the network learns to
/// use all of the animal rather than its single most telling patch. The centre falls anywhere in the tile, so the
/// square may hang over the edge and every pixel is as likely to be hidden as any other.
/// </summary>
internal readonly record struct CutoutSquare(int Left, int Top, int Side)
{
    /// <summary>Mid grey: about the mean pixel of photographs, and 0.5 once the network scales bytes to [0, 1].</summary>
    public const byte Grey = 128;

    // Its own stream, so that the affine draws stay those of runs made before cutout existed.
    private const ulong StreamSalt = 0x6375_746F_7574UL;

    /// <summary>
    /// The square of image <paramref name="imageIndex"/> in <paramref name="epoch"/>: a side of <paramref name="share"/> of
    /// the tile's, rounded to whole pixels; null when that is no pixel. Drawn from (seed, epoch, image), as the affine is.
    /// </summary>
    public static CutoutSquare? Draw(double share, int size, ulong seed, int epoch, int imageIndex)
    {
        var side = (int)Math.Round(share * size);
        if (side == 0)
        {
            return null;
        }

        var random = new SplitMix64(seed ^ StreamSalt, (ulong)(uint)epoch, (ulong)(uint)imageIndex);
        var centreX = Centre(random.NextSigned(), size);
        var centreY = Centre(random.NextSigned(), size);
        return new CutoutSquare(centreX - side / 2, centreY - side / 2, side);
    }

    /// <summary>Paints the part of the square inside the <paramref name="size"/>² RGB tile.</summary>
    public void Apply(Span<byte> tile, int size)
    {
        const int pixel = 3;
        var (left, right) = (Math.Max(Left, 0), Math.Min(Left + Side, size));
        var (top, bottom) = (Math.Max(Top, 0), Math.Min(Top + Side, size));
        for (var y = top; y < bottom; y++)
        {
            tile.Slice((y * size + left) * pixel, (right - left) * pixel).Fill(Grey);
        }
    }

    private static int Centre(double signed, int size) => Math.Min((int)((signed + 1) / 2 * size), size - 1);
}
