namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>One image's draw of the augmentation: the values that build its affine map; the shifts are shares of the side.</summary>
internal readonly record struct AffineParameters(bool Flip, float Shear, float ZoomX, float ZoomY, float ShiftX = 0, float ShiftY = 0)
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
        // Drawn last, so that the draws before them are those of runs made before translation existed.
        var shiftX = (float)(options.Translate * random.NextSigned());
        var shiftY = (float)(options.Translate * random.NextSigned());
        return new AffineParameters(flip, shear, zoomX, zoomY, shiftX, shiftY);
    }
}
