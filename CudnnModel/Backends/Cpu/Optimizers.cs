using System.Numerics;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Fused optimizer updates over one slice of a parameter, one pass over memory each; the
/// formulas are those documented on <see cref="SgdStep"/> and <see cref="AdamWStep"/>.
/// </summary>
internal static class Optimizers
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> velocity, float gradientScale, in SgdStep step)
    {
        var width = Vector<float>.Count;
        var (scale, decay, momentum, rate) = (new Vector<float>(gradientScale), new Vector<float>(step.WeightDecay),
            new Vector<float>(step.Momentum), new Vector<float>(step.LearningRate));
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var w = new Vector<float>(weights[i..]);
            var g = new Vector<float>(gradient[i..]) * scale + decay * w;
            var v = momentum * new Vector<float>(velocity[i..]) + g;
            v.CopyTo(velocity[i..]);
            (w - rate * (step.Nesterov ? g + momentum * v : v)).CopyTo(weights[i..]);
        }

        for (; i < weights.Length; i++)
        {
            var g = gradient[i] * gradientScale + step.WeightDecay * weights[i];
            var v = step.Momentum * velocity[i] + g;
            velocity[i] = v;
            weights[i] -= step.LearningRate * (step.Nesterov ? g + step.Momentum * v : v);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AdamW(Span<float> weights, ReadOnlySpan<float> gradient, Span<float> first, Span<float> second,
        float gradientScale, in AdamWStep step)
    {
        var correction1 = 1f - MathF.Pow(step.Beta1, step.Step);
        var correction2 = 1f - MathF.Pow(step.Beta2, step.Step);
        var stepSize = step.LearningRate / correction1;
        var rootCorrection2 = MathF.Sqrt(correction2);
        var keep = 1f - step.LearningRate * step.WeightDecay;
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= weights.Length - width; i += width)
        {
            var g = new Vector<float>(gradient[i..]) * gradientScale;
            var m = step.Beta1 * new Vector<float>(first[i..]) + (1f - step.Beta1) * g;
            var v = step.Beta2 * new Vector<float>(second[i..]) + (1f - step.Beta2) * g * g;
            m.CopyTo(first[i..]);
            v.CopyTo(second[i..]);
            var denominator = Vector.SquareRoot(v) / rootCorrection2 + new Vector<float>(step.Epsilon);
            (new Vector<float>(weights[i..]) * keep - stepSize * m / denominator).CopyTo(weights[i..]);
        }

        for (; i < weights.Length; i++)
        {
            var g = gradient[i] * gradientScale;
            var m = step.Beta1 * first[i] + (1f - step.Beta1) * g;
            var v = step.Beta2 * second[i] + (1f - step.Beta2) * g * g;
            first[i] = m;
            second[i] = v;
            weights[i] = weights[i] * keep - stepSize * m / (MathF.Sqrt(v) / rootCorrection2 + step.Epsilon);
        }
    }
}
