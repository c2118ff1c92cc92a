using CatsDogs.Model.Backends;

namespace CatsDogs.Model.Diagnostics;

/// <summary>The same values on two backends: the reference's tensor and the candidate's.</summary>
internal readonly record struct TensorPair(Tensor Reference, Tensor Candidate)
{
    public TensorShape Shape => Reference.Shape;
}

/// <summary>
/// Makes tensor pairs on a reference and a candidate backend, runs the same op on both, and
/// measures how far the candidate's results are from the reference's. Owns every tensor it made.
/// </summary>
internal sealed class BackendPair(IBackend reference, IBackend candidate, int seed) : IDisposable
{
    private readonly Random _random = new(seed);
    private readonly List<Tensor> _owned = [];

    public IBackend Reference => reference;

    public IBackend Candidate => candidate;

    /// <summary>Uniform values in [-1, 1) on both backends.</summary>
    public TensorPair Random(TensorShape shape) => With(shape, Values(shape.Count));

    public TensorPair Zeros(TensorShape shape) => With(shape, new float[shape.Count]);

    public TensorPair With(TensorShape shape, float[] values)
    {
        var pair = new TensorPair(reference.Allocate(shape), candidate.Allocate(shape));
        _owned.Add(pair.Reference);
        _owned.Add(pair.Candidate);
        reference.Upload(values, pair.Reference);
        candidate.Upload(values, pair.Candidate);
        return pair;
    }

    public float[] Values(int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = _random.NextSingle() * 2f - 1f;
        }

        return values;
    }

    /// <summary>Runs an op on both backends, each with its own tensors.</summary>
    public void Run(Action<IBackend, Func<TensorPair, Tensor>> op)
    {
        op(reference, pair => pair.Reference);
        op(candidate, pair => pair.Candidate);
    }

    /// <summary>The worst relative error over the given outputs.</summary>
    public double Error(params ReadOnlySpan<TensorPair> outputs)
    {
        var worst = 0d;
        foreach (var output in outputs)
        {
            var expected = new float[output.Shape.Count];
            var actual = new float[output.Shape.Count];
            reference.Download(output.Reference, expected);
            candidate.Download(output.Candidate, actual);
            worst = Math.Max(worst, RelativeError(expected, actual));
        }

        return worst;
    }

    /// <summary>
    /// max |actual - expected| / max |expected|. A NaN where the reference has one (an unlabeled
    /// label) matches; a NaN on one side only makes the whole error NaN, which never passes.
    /// </summary>
    public static double RelativeError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        var (difference, scale) = (0d, 1e-12);
        for (var i = 0; i < expected.Length; i++)
        {
            if (float.IsNaN(actual[i]) || float.IsNaN(expected[i]))
            {
                if (float.IsNaN(actual[i]) != float.IsNaN(expected[i]))
                {
                    return double.NaN;
                }

                continue;
            }

            difference = Math.Max(difference, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }

        return difference / scale;
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }
    }
}
