namespace CatsDogs.Model.Memory;

/// <summary>
/// A batch of images as the input pipeline hands it to a backend, in host memory.
/// <para>
/// Layout: <see cref="Pixels"/> holds <see cref="Count"/> images one after another, each
/// <see cref="Height"/> rows of <see cref="Width"/> pixels of 3 bytes in R, G, B order
/// (NHWC, uint8, no padding between rows or images). <see cref="Labels"/> holds
/// <see cref="Count"/> float32 values: 0 for cat, 1 for dog, NaN when unlabeled.
/// Backends convert to NCHW float32 and normalise to [0, 1] themselves, multiplying by
/// <see cref="PixelScale"/>.
/// </para>
/// </summary>
public readonly record struct HostImageBatch(nint Pixels, nint Labels, int Count, int Height, int Width)
{
    public const int Channels = 3;

    /// <summary>
    /// The one factor from a byte to the network's input: a multiply, as both backends (and an exported
    /// model) do it, so that they all see the same float for each byte. No mean or deviation is subtracted.
    /// </summary>
    public const float PixelScale = 1f / 255f;

    public int ImageBytes => Height * Width * Channels;

    public unsafe ReadOnlySpan<byte> PixelSpan => new((void*)Pixels, Count * ImageBytes);

    public unsafe ReadOnlySpan<float> LabelSpan => new((void*)Labels, Count);
}
