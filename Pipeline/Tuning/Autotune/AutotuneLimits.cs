namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// The bounds the autotuner keeps every setting it moves within: a thread count between one and the cores, prefetch
/// between one batch and as many as the memory cap holds.
/// </summary>
internal sealed record AutotuneLimits
{
    /// <summary>A step needs one thread to make progress at all.</summary>
    public const int MinThreads = 1;

    /// <summary>The pipeline needs one finished batch to hand over.</summary>
    public const int MinPrefetch = 1;

    public AutotuneLimits(int cores, int maxPrefetch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, MinThreads);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPrefetch, MinPrefetch);
        Cores = cores;
        MaxPrefetch = maxPrefetch;
    }

    /// <summary>The most threads any step may have: more than the cores only adds switching.</summary>
    public int Cores { get; }

    /// <summary>The most batches the prefetch queue may hold.</summary>
    public int MaxPrefetch { get; }

    /// <summary>
    /// Limits for <paramref name="cores"/> cores and prefetched batches taking at most <paramref name="prefetchMemory"/>
    /// bytes, each batch buffer <paramref name="batchBufferBytes"/>; a cap under one buffer still allows the one the
    /// pipeline cannot run without.
    /// </summary>
    public static AutotuneLimits For(int cores, long batchBufferBytes, long prefetchMemory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBufferBytes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchMemory);
        return new(cores, (int)Math.Clamp(prefetchMemory / batchBufferBytes, MinPrefetch, int.MaxValue));
    }
}
