namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// A tiny counter-based generator (SplitMix64). A struct, so drawing an image's augmentation
/// allocates nothing, and keyed by several values so that no shared state orders the draws.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed, ulong a, ulong b)
    {
        _state = seed;
        _state = NextUInt64() ^ a;
        _state = NextUInt64() ^ b;
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [-1, 1).</summary>
    public double NextSigned() => (NextUInt64() >> 11) * (2.0 / (1UL << 53)) - 1.0;
}
