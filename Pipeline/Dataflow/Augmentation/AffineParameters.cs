namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>One image's draw of the augmentation: the values that build its affine map.</summary>
internal readonly record struct AffineParameters(bool Flip, float Shear, float ZoomX, float ZoomY)
{
    public static AffineParameters Identity => new(false, 0, 1, 1);

    /// <summary>
    /// Draws from a generator seeded by (seed, epoch, image), so that an image gets the same
    /// augmentation in a rerun whatever thread handles it.
    /// </summary>
    public static AffineParameters Draw(AugmentOptions options, ulong seed, int epoch, int imageIndex)
    {
        if (options.IsIdentity)
        {
            return Identity;
        }

        var random = new SplitMix64(seed, (ulong)(uint)epoch, (ulong)(uint)imageIndex);
        var flip = options.Flip && (random.NextUInt64() & 1) == 1;
        var shear = (float)(options.Shear * random.NextSigned());
        var zoomX = (float)(1 + options.Zoom * random.NextSigned());
        var zoomY = (float)(1 + options.Zoom * random.NextSigned());
        return new AffineParameters(flip, shear, zoomX, zoomY);
    }
}
