using System.Globalization;

namespace CatsDogs.Pipeline.Training;

/// <summary>One row of metrics.csv: an epoch's results.</summary>
internal sealed record EpochRecord(
    int Epoch, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy,
    double LearningRate, double ImagesPerSecond, double InputWaitFraction, double EpochSeconds)
{
    public const string Header = "epoch,train_loss,train_acc,val_loss,val_acc,lr,images_per_s,input_wait_fraction,epoch_seconds";

    public string ToCsv() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Epoch},{TrainLoss:R},{TrainAccuracy:R},{ValLoss:R},{ValAccuracy:R},{LearningRate:R},{ImagesPerSecond:F1},{InputWaitFraction:F4},{EpochSeconds:F2}");

    public static EpochRecord Parse(string line)
    {
        var f = line.Split(',');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new EpochRecord(int.Parse(f[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(6), D(7), D(8));
    }
}
