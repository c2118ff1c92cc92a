namespace CatsDogs.Tests.Model.Backends;

/// <summary>
/// Central finite differences of a float64 function, and the error measure used to compare them
/// with a backend's float32 gradients.
/// </summary>
internal static class GradientCheck
{
    private const double Step = 1e-5;

    /// <summary>d/dθ of sum(projection · f(θ)) for every element of θ (θ is restored afterwards).</summary>
    public static double[] Numerical(double[] theta, Func<double[]> f, double[] projection)
    {
        var gradient = new double[theta.Length];
        for (var i = 0; i < theta.Length; i++)
        {
            gradient[i] = Numerical(theta, i, () => Dot(f(), projection));
        }

        return gradient;
    }

    /// <summary>d/dθ[index] of a scalar f(θ) (θ is restored afterwards).</summary>
    public static double Numerical(double[] theta, int index, Func<double> f)
    {
        var saved = theta[index];
        theta[index] = saved + Step;
        var plus = f();
        theta[index] = saved - Step;
        var minus = f();
        theta[index] = saved;
        return (plus - minus) / (2 * Step);
    }

    /// <summary>Scalar version, for a loss.</summary>
    public static double[] Numerical(double[] theta, Func<double> f) => Numerical(theta, () => [f()], [1d]);

    /// <summary>
    /// The largest element-wise difference, relative to the largest reference magnitude: a
    /// scale-free measure that does not blow up on elements whose true gradient is near zero. A
    /// NaN on either side is an infinite difference: Enumerable.Max passes over NaN, which hid an
    /// element that an op left unwritten.
    /// </summary>
    public static double RelativeError(float[] actual, double[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-12);
        return expected.Zip(actual, Difference).Max() / scale;
    }

    public static void AssertClose(float[] actual, double[] expected, double tolerance, string what)
    {
        var error = RelativeError(actual, expected);
        Assert.True(error < tolerance, $"{what}: relative error {error:E2} is not below {tolerance:E0}.");
    }

    private static double Difference(double expected, float actual)
    {
        var difference = Math.Abs(expected - actual);
        return double.IsNaN(difference) ? double.PositiveInfinity : difference;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
