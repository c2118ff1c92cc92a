namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>
/// Precision, recall and F1 of one class taken as the positive one. A ratio with nothing to count
/// (no image called this class, or none of it in the data) is null rather than a made-up 0.
/// </summary>
internal sealed record ClassScores(double? Precision, double? Recall, double? F1)
{
    public static ClassScores From(int truePositives, int falsePositives, int falseNegatives)
    {
        double? precision = truePositives + falsePositives == 0 ? null : (double)truePositives / (truePositives + falsePositives);
        double? recall = truePositives + falseNegatives == 0 ? null : (double)truePositives / (truePositives + falseNegatives);
        double? f1 = precision is { } p && recall is { } r ? (p + r == 0 ? 0 : 2 * p * r / (p + r)) : null;
        return new ClassScores(precision, recall, f1);
    }
}
