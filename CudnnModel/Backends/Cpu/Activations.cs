using System.Numerics;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Element-wise kernels that System.Numerics.Tensors has no single call for.</summary>
internal static class Activations
{
    /// <summary>
    /// y = max(x, 0) with the processor's native max: TensorPrimitives.Max propagates NaN as IEEE
    /// 754 asks, which makes it several times slower, and a NaN activation is lost either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= x.Length - width; i += width)
        {
            Vector.MaxNative(new Vector<float>(x[i..]), Vector<float>.Zero).CopyTo(y[i..]);
        }

        for (; i < x.Length; i++)
        {
            y[i] = Math.Max(x[i], 0f);
        }
    }

    /// <summary>dx = y &gt; 0 ? dy : 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= y.Length - width; i += width)
        {
            var positive = Vector.GreaterThan(new Vector<float>(y[i..]), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, new Vector<float>(dy[i..]), Vector<float>.Zero).CopyTo(dx[i..]);
        }

        for (; i < y.Length; i++)
        {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    /// <summary>
    /// Inverted dropout over elements whose global indices start at <paramref name="firstIndex"/>:
    /// element i is kept when <see cref="CounterRandom.Uniform"/>(seed, i) &gt;= rate.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dropout(ReadOnlySpan<float> x, Span<float> y, float rate, ulong seed, long firstIndex)
    {
        var scale = 1f / (1f - rate);
        for (var i = 0; i < x.Length; i++)
        {
            y[i] = CounterRandom.Uniform(seed, firstIndex + i) >= rate ? x[i] * scale : 0f;
        }
    }
}
