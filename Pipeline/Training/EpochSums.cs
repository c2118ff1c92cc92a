using CatsDogs.Model.Training;

namespace CatsDogs.Pipeline.Training;

/// <summary>The sums of one training pass so far; saved in the trainer state, so they survive a stop and resume.</summary>
internal readonly record struct EpochSums(double LossSum, long Correct, long Count, double Seconds, double WaitSeconds)
{
    public double MeanLoss => LossSum / Math.Max(1, Count);

    public double Accuracy => (double)Correct / Math.Max(1, Count);

    public EpochSums Add(BatchStatistics taken) =>
        this with { LossSum = LossSum + taken.LossSum, Correct = Correct + taken.Correct, Count = Count + taken.Count };

    public EpochRecord ToRecord(int epoch, BatchStatistics validation, double rate) => new(
        epoch, MeanLoss, Accuracy, validation.MeanLoss, validation.Accuracy,
        rate, Count / Math.Max(1e-9, Seconds), WaitSeconds / Math.Max(1e-9, Seconds), Seconds);
}
