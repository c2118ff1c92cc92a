namespace CatsDogs.Model.Training;

/// <summary>Loss and accuracy summed over the labeled images seen since the last read.</summary>
public readonly record struct BatchStatistics(double LossSum, long Correct, long Count)
{
    public double MeanLoss => Count == 0 ? double.NaN : LossSum / Count;

    public double Accuracy => Count == 0 ? double.NaN : (double)Correct / Count;
}
