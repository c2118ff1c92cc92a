using System.Numerics;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Batch normalisation of one channel at a time, each step one pass over memory. Sums run in
/// vectors within a plane and in double across planes; statistics are taken around the
/// channel's first value so that E[x^2] - E[x]^2 does not cancel when the mean is large.
/// </summary>
internal static class BatchNormalization
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Mean, float Variance) Statistics(ChannelPlanes x)
    {
        var shift = x[0][0];
        var (sum, squares) = (0d, 0d);
        for (var n = 0; n < x.Batch; n++)
        {
            var (planeSum, planeSquares) = ShiftedSums(x[n], shift);
            sum += planeSum;
            squares += planeSquares;
        }

        var mean = sum / x.Count;
        return ((float)(shift + mean), (float)Math.Max(0d, squares / x.Count - mean * mean));
    }

    /// <summary>y = x * scale + shift on every plane of the channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Affine(ChannelPlanes x, ChannelPlanes y, float scale, float shift)
    {
        for (var n = 0; n < x.Batch; n++)
        {
            LinearCombination(x[n], scale, default, 0f, shift, y[n]);
        }
    }

    /// <summary>
    /// Gradients of one channel. With xhat = (x - mean) * s and M values:
    /// dbeta = sum dy, dgamma = sum dy * xhat, and
    /// dx = gamma * s / M * (M * dy - dbeta - xhat * dgamma), computed as a * dy + b * x + c.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float DGamma, float DBeta) Backward(ChannelPlanes x, ChannelPlanes dy, ChannelPlanes dx,
        float gamma, float mean, float inverseStd)
    {
        var (sumDy, sumDyX) = (0d, 0d);
        for (var n = 0; n < x.Batch; n++)
        {
            var (planeDy, planeDyX) = GradientSums(dy[n], x[n]);
            sumDy += planeDy;
            sumDyX += planeDyX;
        }

        var dgamma = (sumDyX - mean * sumDy) * inverseStd;
        var count = (double)x.Count;
        var dyScale = (float)(gamma * inverseStd);
        var xScale = (float)(-gamma * inverseStd * inverseStd * dgamma / count);
        var shift = (float)(-gamma * inverseStd * sumDy / count + gamma * inverseStd * inverseStd * mean * dgamma / count);
        for (var n = 0; n < x.Batch; n++)
        {
            LinearCombination(x[n], xScale, dy[n], dyScale, shift, dx[n]);
        }

        return ((float)dgamma, (float)sumDy);
    }

    /// <summary>target = x * a + y * b + c; <paramref name="y"/> may be empty, then it counts as 0.</summary>
    private static void LinearCombination(ReadOnlySpan<float> x, float a, ReadOnlySpan<float> y, float b, float c, Span<float> target)
    {
        var width = Vector<float>.Count;
        var (va, vb, vc) = (new Vector<float>(a), new Vector<float>(b), new Vector<float>(c));
        var withY = !y.IsEmpty;
        var i = 0;
        for (; i <= x.Length - width; i += width)
        {
            var value = Vector.FusedMultiplyAdd(new Vector<float>(x[i..]), va, vc);
            if (withY)
            {
                value = Vector.FusedMultiplyAdd(new Vector<float>(y[i..]), vb, value);
            }

            value.CopyTo(target[i..]);
        }

        for (; i < x.Length; i++)
        {
            target[i] = x[i] * a + (withY ? y[i] * b : 0f) + c;
        }
    }

    private static (double Sum, double Squares) ShiftedSums(ReadOnlySpan<float> values, float shift)
    {
        var width = Vector<float>.Count;
        var center = new Vector<float>(shift);
        var (sum, squares) = (Vector<float>.Zero, Vector<float>.Zero);
        var i = 0;
        for (; i <= values.Length - width; i += width)
        {
            var deviation = new Vector<float>(values[i..]) - center;
            sum += deviation;
            squares = Vector.FusedMultiplyAdd(deviation, deviation, squares);
        }

        var (totalSum, totalSquares) = ((double)Vector.Sum(sum), (double)Vector.Sum(squares));
        for (; i < values.Length; i++)
        {
            var deviation = values[i] - shift;
            totalSum += deviation;
            totalSquares += deviation * deviation;
        }

        return (totalSum, totalSquares);
    }

    private static (double SumDy, double SumDyX) GradientSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x)
    {
        var width = Vector<float>.Count;
        var (sumDy, sumDyX) = (Vector<float>.Zero, Vector<float>.Zero);
        var i = 0;
        for (; i <= dy.Length - width; i += width)
        {
            var gradient = new Vector<float>(dy[i..]);
            sumDy += gradient;
            sumDyX = Vector.FusedMultiplyAdd(gradient, new Vector<float>(x[i..]), sumDyX);
        }

        var (totalDy, totalDyX) = ((double)Vector.Sum(sumDy), (double)Vector.Sum(sumDyX));
        for (; i < dy.Length; i++)
        {
            totalDy += dy[i];
            totalDyX += (double)dy[i] * x[i];
        }

        return (totalDy, totalDyX);
    }
}
