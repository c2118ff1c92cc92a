using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Inference;

/// <summary>Runs a trained network over a data set, in order and without augmentation (unless <see cref="TestTimeAugmentation"/> asks), and collects P(dog) per image.</summary>
internal static class Predictions
{
    public static async Task<(float[] DogProbabilities, bool[] Delivered)> RunAsync(
        Network network, InputPipeline pipeline, ImageSource source, TestTimeAugmentation tta, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var probabilities = new float[source.Count];
        var delivered = new bool[source.Count];
        var batchProbabilities = new float[pipeline.Options.BatchSize];
        var averaging = new ViewAveraging(tta, pipeline.Options.BatchSize);
        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Inference, 0, cancellationToken))
        {
            using (batch)
            {
                averaging.Evaluate(network, batch, batchProbabilities);
                for (var row = 0; row < batch.Count; row++)
                {
                    probabilities[batch.ImageIndices[row]] = batchProbabilities[row];
                    delivered[batch.ImageIndices[row]] = true;
                }

                progress.Report(batch.EndPosition);
            }
        }

        return (probabilities, delivered);
    }
}
