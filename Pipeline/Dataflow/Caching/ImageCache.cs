namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// Decoded images of one source under one setting, by image index. The first pass adds each image
/// once, decoded and fitted (<see cref="CacheLayout"/>); later passes get it back and only warp.
/// Thread-safe: the decode threads add and get at once; an image is added by one thread only.
/// </summary>
internal abstract class ImageCache : IDisposable
{
    protected ImageCache(CacheLayout layout) => Layout = layout;

    public CacheLayout Layout { get; }

    /// <summary>What it is and where, for the log and the benchmark.</summary>
    public abstract string Description { get; }

    /// <summary>Images it can give back now.</summary>
    public abstract int Count { get; }

    public abstract bool TryGet(int imageIndex, out CachedImage image);

    /// <summary>Keeps an image (its pixels are copied), or the reason it was skipped; a second add of the same index is ignored.</summary>
    public abstract void Add(int imageIndex, SkipReason skip, ReadOnlySpan<byte> pixels, int width, int height);

    public abstract void Dispose();
}
