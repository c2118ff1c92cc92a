namespace CatsDogs.Model.Memory;

/// <summary>
/// A batch of images as the input pipeline hands it to a backend, in host memory.
/// <para>
/// Layout: <see cref="Pixels"/> holds <see cref="Count"/> images one after another, each
/// <see cref="Height"/> rows of <see cref="Width"/> pixels of 3 bytes in R, G, B order
/// (NHWC, uint8, no padding between rows or images). <see cref="Labels"/> holds
/// <see cref="Count"/> float32 values: 0 for cat, 1 for dog, NaN when unlabeled.
/// Backends convert to NCHW float32 and normalise to [0, 1] themselves.
/// </para>
/// </summary>
public readonly record struct HostImageBatch(nint Pixels, nint Labels, int Count, int Height, int Width)
{
    public const int Channels = 3;

    public int ImageBytes => Height * Width * Channels;

    public unsafe ReadOnlySpan<byte> PixelSpan => new((void*)Pixels, Count * ImageBytes);

    public unsafe ReadOnlySpan<float> LabelSpan => new((void*)Labels, Count);
}
