using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>Counts of true class against predicted class (dog when P(dog) ≥ 0.5).</summary>
internal sealed record ConfusionMatrix(int CatAsCat, int CatAsDog, int DogAsCat, int DogAsDog)
{
    public static ConfusionMatrix From(IReadOnlyList<ImageLabel> truth, IReadOnlyList<float> dogProbability)
    {
        int cc = 0, cd = 0, dc = 0, dd = 0;
        for (var i = 0; i < truth.Count; i++)
        {
            var saysDog = dogProbability[i] >= 0.5f;
            _ = (truth[i], saysDog) switch
            {
                (ImageLabel.Cat, false) => cc++,
                (ImageLabel.Cat, true) => cd++,
                (ImageLabel.Dog, false) => dc++,
                (ImageLabel.Dog, true) => dd++,
                _ => throw new ArgumentException("Only labeled images can be counted.", nameof(truth)),
            };
        }

        return new ConfusionMatrix(cc, cd, dc, dd);
    }

    public int Total => CatAsCat + CatAsDog + DogAsCat + DogAsDog;

    public double Accuracy => Total == 0 ? double.NaN : (double)(CatAsCat + DogAsDog) / Total;

    /// <summary>Cat taken as the positive class: of the images called cats, how many are; of the cats, how many were called so.</summary>
    public ClassScores CatScores => ClassScores.From(truePositives: CatAsCat, falsePositives: DogAsCat, falseNegatives: CatAsDog);

    public ClassScores DogScores => ClassScores.From(truePositives: DogAsDog, falsePositives: CatAsDog, falseNegatives: DogAsCat);

    public string Render() => string.Join(Environment.NewLine,
        "                predicted cat  predicted dog",
        $"actual cat   {CatAsCat,15} {CatAsDog,14}",
        $"actual dog   {DogAsCat,15} {DogAsDog,14}");
}
