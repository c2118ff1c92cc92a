using System.Numerics.Tensors;

namespace CatsDogs.Tests.Model.Backends;

/// <summary>
/// Straightforward float64 definitions of the ops, written from their formulas with plain loops.
/// Gradient checks differentiate these numerically, so they must stay obviously correct rather
/// than fast. Tensors are flat NCHW arrays.
/// </summary>
internal static class ReferenceOps
{
    /// <summary>
    /// y[b, o, oy, ox] = sum over i, ky, kx of x[b, i, oy + ky - padding, ox + kx - padding] · w[o, i, ky, kx],
    /// taps outside x counting 0. Each tap adds its weight times a shifted row of x to a row of y,
    /// over the output positions whose input lies inside x (with SIMD, so that the network gradient
    /// check, which runs deep6 in float64 some hundred times, stays quick).
    /// </summary>
    public static double[] Convolution(double[] x, int n, int c, int h, int w, double[] filter, int outChannels, int k, int padding)
    {
        var (ho, wo) = (h + 2 * padding - k + 1, w + 2 * padding - k + 1);
        var y = new double[n * outChannels * ho * wo];
        for (var b = 0; b < n; b++)
        for (var o = 0; o < outChannels; o++)
        for (var i = 0; i < c; i++)
        for (var ky = 0; ky < k; ky++)
        for (var kx = 0; kx < k; kx++)
        {
            var weight = filter[((o * c + i) * k + ky) * k + kx];
            var (rowShift, columnShift) = (ky - padding, kx - padding);
            var (firstColumn, columns) = (Math.Max(0, -columnShift), Math.Min(wo, w - columnShift) - Math.Max(0, -columnShift));
            for (var oy = Math.Max(0, -rowShift); oy < Math.Min(ho, h - rowShift) && columns > 0; oy++)
            {
                var input = x.AsSpan(((b * c + i) * h + oy + rowShift) * w + columnShift + firstColumn, columns);
                var output = y.AsSpan(((b * outChannels + o) * ho + oy) * wo + firstColumn, columns);
                TensorPrimitives.MultiplyAdd(input, weight, output, output);
            }
        }

        return y;
    }

    /// <summary>Gradients of sum(dy · conv(x, w)) in x and in w, by scattering each output back over its window.</summary>
    public static (double[] Dx, double[] Dw) ConvolutionGradients(double[] x, int n, int c, int h, int w, double[] filter,
        int outChannels, int k, int padding, double[] dy)
    {
        var (ho, wo) = (h + 2 * padding - k + 1, w + 2 * padding - k + 1);
        var (dx, dw) = (new double[x.Length], new double[filter.Length]);
        for (var b = 0; b < n; b++)
        for (var o = 0; o < outChannels; o++)
        for (var oy = 0; oy < ho; oy++)
        for (var ox = 0; ox < wo; ox++)
        {
            var gradient = dy[((b * outChannels + o) * ho + oy) * wo + ox];
            for (var i = 0; i < c; i++)
            for (var ky = 0; ky < k; ky++)
            for (var kx = 0; kx < k; kx++)
            {
                var (iy, ix) = (oy + ky - padding, ox + kx - padding);
                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                {
                    var (input, weight) = (((b * c + i) * h + iy) * w + ix, ((o * c + i) * k + ky) * k + kx);
                    dx[input] += gradient * filter[weight];
                    dw[weight] += gradient * x[input];
                }
            }
        }

        return (dx, dw);
    }

    public static double[] AddBias(double[] y, int n, int c, int plane, double[] bias) =>
        y.Select((v, i) => v + bias[i / plane % c]).ToArray();

    /// <summary>C = op(A) op(B), A and B row-major.</summary>
    public static double[] MatrixProduct(double[] a, double[] b, int m, int n, int k, bool transposeA, bool transposeB)
    {
        var result = new double[m * n];
        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            var sum = 0d;
            for (var p = 0; p < k; p++)
            {
                sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
            }

            result[i * n + j] = sum;
        }

        return result;
    }

    public static double[] Relu(double[] x) => x.Select(v => Math.Max(v, 0d)).ToArray();

    public static double[] MaxPool(double[] x, int planes, int h, int w, int window)
    {
        var (ho, wo) = (h / window, w / window);
        var y = new double[planes * ho * wo];
        for (var p = 0; p < planes; p++)
        for (var oy = 0; oy < ho; oy++)
        for (var ox = 0; ox < wo; ox++)
        {
            var best = double.NegativeInfinity;
            for (var ky = 0; ky < window; ky++)
            for (var kx = 0; kx < window; kx++)
            {
                best = Math.Max(best, x[(p * h + oy * window + ky) * w + ox * window + kx]);
            }

            y[(p * ho + oy) * wo + ox] = best;
        }

        return y;
    }

    public static double[] GlobalAveragePool(double[] x, int planes, int plane) =>
        Enumerable.Range(0, planes).Select(p => x.Skip(p * plane).Take(plane).Average()).ToArray();

    public static double[] Dropout(double[] x, float rate, ulong seed) =>
        x.Select((v, i) => CatsDogs.Model.Backends.CounterRandom.Uniform(seed, i) >= rate ? v / (1d - rate) : 0d).ToArray();

    public static double[] BatchNorm(double[] x, int n, int c, int plane, double[] gamma, double[] beta, double epsilon)
    {
        var y = new double[x.Length];
        for (var ch = 0; ch < c; ch++)
        {
            var values = Channel(x, n, c, plane, ch).ToArray();
            var mean = values.Average();
            var variance = values.Select(v => (v - mean) * (v - mean)).Average();
            foreach (var index in ChannelIndices(n, c, plane, ch))
            {
                y[index] = gamma[ch] * (x[index] - mean) / Math.Sqrt(variance + epsilon) + beta[ch];
            }
        }

        return y;
    }

    public static IEnumerable<int> ChannelIndices(int n, int c, int plane, int channel) =>
        Enumerable.Range(0, n).SelectMany(b => Enumerable.Range((b * c + channel) * plane, plane));

    public static IEnumerable<double> Channel(double[] x, int n, int c, int plane, int channel) =>
        ChannelIndices(n, c, plane, channel).Select(i => x[i]);

    /// <summary>Mean binary cross-entropy of sigmoid(z) over labeled items, computed the naive way in double.</summary>
    public static double MeanCrossEntropy(double[] logits, float[] labels)
    {
        var (sum, count) = (0d, 0);
        for (var i = 0; i < logits.Length; i++)
        {
            if (float.IsNaN(labels[i]))
            {
                continue;
            }

            var p = 1d / (1d + Math.Exp(-logits[i]));
            sum -= labels[i] * Math.Log(p) + (1 - labels[i]) * Math.Log(1 - p);
            count++;
        }

        return sum / count;
    }
}
