namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>Which of <see cref="AffineWarp"/>'s per-pixel loops renders a row; all write the same bytes.</summary>
internal enum WarpPath
{
    /// <summary>The reference, and the loop on machines without AVX2.</summary>
    Scalar,

    /// <summary>8 pixels at a time with AVX2.</summary>
    Vector256,

    /// <summary>16 pixels at a time with AVX-512BW (and AVX2 gathers).</summary>
    Vector512,
}
