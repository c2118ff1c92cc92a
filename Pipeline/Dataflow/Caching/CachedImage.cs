namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// One image as a cache holds it: the reason it was skipped, or its pixels (RGBA for a training
/// cache, the final RGB tile for an inference one), valid for as long as the cache lives.
/// </summary>
internal readonly record struct CachedImage(SkipReason Skip, nint Pixels, int Width, int Height)
{
    public unsafe ReadOnlySpan<byte> Span(int bytesPerPixel) => new((void*)Pixels, Width * Height * bytesPerPixel);
}
