using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>
/// Kaggle's metric for Dogs vs. Cats: the mean binary cross-entropy of P(dog) against the truth,
/// each probability first clipped to [1e-15, 1 − 1e-15] as Kaggle does, so that one certain
/// mistake costs −ln(1e-15) ≈ 34.5 instead of an infinite mean.
/// </summary>
internal static class LogLoss
{
    public const double Clip = 1e-15;

    public static double Of(IReadOnlyList<ImageLabel> truth, IReadOnlyList<float> dogProbability)
    {
        var sum = 0.0;
        for (var i = 0; i < truth.Count; i++)
        {
            sum += Of(truth[i] == ImageLabel.Dog, dogProbability[i]);
        }

        return sum / truth.Count;
    }

    /// <summary>One image's term: −ln of the clipped probability given to its true class.</summary>
    public static double Of(bool isDog, double dogProbability)
    {
        var p = Math.Clamp(dogProbability, Clip, 1 - Clip);
        return isDog ? -Math.Log(p) : -Math.Log(1 - p);
    }
}
