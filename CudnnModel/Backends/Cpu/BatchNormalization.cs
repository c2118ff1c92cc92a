using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Batch normalisation of one channel at a time. Sums run per plane in float and across planes
/// in double, so the statistics stay accurate for large batches.
/// </summary>
internal static class BatchNormalization
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Mean, float Variance) Statistics(ChannelPlanes x)
    {
        var sum = 0d;
        for (var n = 0; n < x.Batch; n++)
        {
            sum += TensorPrimitives.Sum<float>(x[n]);
        }

        var mean = (float)(sum / x.Count);
        var squares = 0d;
        for (var n = 0; n < x.Batch; n++)
        {
            squares += SumOfSquaredDeviations(x[n], mean);
        }

        return (mean, (float)(squares / x.Count));
    }

    /// <summary>y = x * scale + shift on every plane of the channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine(ChannelPlanes x, ChannelPlanes y, float scale, float shift)
    {
        for (var n = 0; n < x.Batch; n++)
        {
            TensorPrimitives.Multiply(x[n], scale, y[n]);
            TensorPrimitives.Add(y[n], shift, y[n]);
        }
    }

    /// <summary>
    /// Gradients of one channel. With xhat = (x - mean) * s and M values:
    /// dbeta = sum dy, dgamma = sum dy * xhat, and
    /// dx = gamma * s / M * (M * dy - dbeta - xhat * dgamma).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float DGamma, float DBeta) Backward(ChannelPlanes x, ChannelPlanes dy, ChannelPlanes dx,
        float gamma, float mean, float inverseStd)
    {
        var sumDy = 0d;
        var sumDyX = 0d;
        for (var n = 0; n < x.Batch; n++)
        {
            sumDy += TensorPrimitives.Sum<float>(dy[n]);
            sumDyX += TensorPrimitives.Dot<float>(dy[n], x[n]);
        }

        var dgamma = (sumDyX - mean * sumDy) * inverseStd;
        var count = (double)x.Count;
        var dyScale = (float)(gamma * inverseStd);
        var xScale = (float)(-gamma * inverseStd * inverseStd * dgamma / count);
        var shift = (float)(-gamma * inverseStd * sumDy / count + gamma * inverseStd * inverseStd * mean * dgamma / count);
        for (var n = 0; n < x.Batch; n++)
        {
            var target = dx[n];
            TensorPrimitives.Multiply(x[n], xScale, target);
            TensorPrimitives.Add(target, shift, target);
            TensorPrimitives.MultiplyAdd(dy[n], dyScale, target, target);
        }

        return ((float)dgamma, (float)sumDy);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumOfSquaredDeviations(ReadOnlySpan<float> values, float mean)
    {
        var width = Vector<float>.Count;
        var center = new Vector<float>(mean);
        var accumulator = Vector<float>.Zero;
        var i = 0;
        for (; i <= values.Length - width; i += width)
        {
            var deviation = new Vector<float>(values[i..]) - center;
            accumulator += deviation * deviation;
        }

        double sum = Vector.Sum(accumulator);
        for (; i < values.Length; i++)
        {
            var deviation = values[i] - mean;
            sum += deviation * deviation;
        }

        return sum;
    }
}
