using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>
/// The area under the ROC curve of P(dog) for telling dogs from cats: the chance that a random dog
/// scores above a random cat, a tie counting half. Exact, from ranks (the Mann-Whitney U statistic):
/// sort by P(dog), give tied scores the mean of their ranks, then
/// AUC = (sum of the dogs' ranks − d(d + 1)/2) / (d · c) for d dogs and c cats.
/// </summary>
internal static class RocAuc
{
    /// <returns>Null when the images are not of both classes, where the area is undefined.</returns>
    public static double? Of(IReadOnlyList<ImageLabel> truth, IReadOnlyList<float> dogProbability)
    {
        var order = Enumerable.Range(0, truth.Count).OrderBy(i => dogProbability[i]).ToArray();
        var dogRankSum = 0.0;
        long dogs = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && dogProbability[order[end + 1]] == dogProbability[order[start]])
            {
                end++;
            }

            // Ranks count from 1; the tied run start..end shares their mean.
            var meanRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (truth[order[k]] == ImageLabel.Dog)
                {
                    dogRankSum += meanRank;
                    dogs++;
                }
            }

            start = end + 1;
        }

        long cats = order.Length - dogs;
        return dogs == 0 || cats == 0 ? null : (dogRankSum - dogs * (dogs + 1) / 2.0) / ((double)dogs * cats);
    }
}
