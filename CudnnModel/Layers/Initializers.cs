using CatsDogs.Model.Backends;

namespace CatsDogs.Model.Layers;

/// <summary>
/// Seeded weight initialisation from <see cref="CounterRandom"/>, so a seed gives the same
/// weights on every machine and runtime version.
/// </summary>
internal static class Initializers
{
    /// <summary>He (Kaiming) normal, std = sqrt(2 / fanIn): keeps activation variance through ReLUs.</summary>
    public static float[] HeNormal(int count, int fanIn, ulong seed)
    {
        var std = MathF.Sqrt(2f / fanIn);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            // Box-Muller; 1 - u keeps the log's argument in (0, 1].
            var u1 = 1f - CounterRandom.Uniform(seed, 2L * i);
            var u2 = CounterRandom.Uniform(seed, 2L * i + 1);
            values[i] = std * MathF.Sqrt(-2f * MathF.Log(u1)) * MathF.Cos(2f * MathF.PI * u2);
        }

        return values;
    }

    /// <summary>Glorot (Xavier) uniform, limit = sqrt(6 / (fanIn + fanOut)): Keras' default, used for the output layer.</summary>
    public static float[] GlorotUniform(int count, int fanIn, int fanOut, ulong seed)
    {
        var limit = MathF.Sqrt(6f / (fanIn + fanOut));
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (2f * CounterRandom.Uniform(seed, i) - 1f) * limit;
        }

        return values;
    }
}
