namespace CatsDogs.Model.Backends;

/// <summary>
/// Stateless random numbers: a value is a hash of (seed, index). Any backend can reproduce the
/// same stream in any order, so dropout masks need no storage, CPU and GPU agree bit for bit,
/// and a checkpoint only has to record the seed and the step.
/// </summary>
internal static class CounterRandom
{
    /// <summary>SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.</summary>
    public static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Combine(ulong seed, ulong value) => Mix(seed ^ Mix(value));

    /// <summary>A uniform float in [0, 1) with 24 random bits, so every value is exact in float32.</summary>
    public static float Uniform(ulong seed, long index) => (Mix(seed ^ (ulong)index * 0xD1B54A32D192ED03UL) >> 40) * (1f / (1 << 24));
}
