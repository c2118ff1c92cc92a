using System.Runtime.CompilerServices;
namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Binary cross-entropy on logits in the stable form max(z, 0) - z * t + log(1 + exp(-|z|)),
/// which never takes the log of a rounded-off sigmoid. Its gradient in z is sigmoid(z) - t. Label
/// smoothing s trains against t (1 - s) + s / 2; accuracy is still against the label.
/// </summary>
internal static class SigmoidCrossEntropy
{
    public static float Sigmoid(float z) => z >= 0f ? 1f / (1f + MathF.Exp(-z)) : MathF.Exp(z) / (1f + MathF.Exp(z));

    public static double Loss(float z, float target) => Math.Max(z, 0d) - (double)z * target + Math.Log(1d + Math.Exp(-Math.Abs((double)z)));

    /// <summary>Sums loss and correct predictions over the labeled items and writes the gradient of their mean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Loss, int Correct, int Labeled) Evaluate(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> dlogits, float smoothing)
    {
        var labeled = 0;
        foreach (var label in labels)
        {
            labeled += float.IsNaN(label) ? 0 : 1;
        }

        var (loss, correct) = (0d, 0);
        for (var i = 0; i < logits.Length; i++)
        {
            var (z, target) = (logits[i], labels[i]);
            if (float.IsNaN(target))
            {
                if (!dlogits.IsEmpty)
                {
                    dlogits[i] = 0f;
                }

                continue;
            }

            var soft = (target * (1f - smoothing)) + (0.5f * smoothing);
            loss += Loss(z, soft);
            correct += (z >= 0f) == (target >= 0.5f) ? 1 : 0;
            if (!dlogits.IsEmpty)
            {
                dlogits[i] = (Sigmoid(z) - soft) / labeled;
            }
        }

        return (loss, correct, labeled);
    }
}
