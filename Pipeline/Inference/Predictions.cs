using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Inference;

/// <summary>Runs a trained network over a data set, in order and without augmentation, and collects P(dog) per image.</summary>
internal static class Predictions
{
    public static async Task<(float[] DogProbabilities, bool[] Delivered, BatchStatistics Statistics)> RunAsync(
        Network network, InputPipeline pipeline, ImageSource source, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var probabilities = new float[source.Count];
        var delivered = new bool[source.Count];
        var batchProbabilities = new float[pipeline.Options.BatchSize];
        var done = 0;
        network.TakeEvaluationStatistics();
        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Inference, 0, cancellationToken))
        {
            using (batch)
            {
                network.Evaluate(batch.View, batchProbabilities);
                for (var row = 0; row < batch.Count; row++)
                {
                    probabilities[batch.ImageIndices[row]] = batchProbabilities[row];
                    delivered[batch.ImageIndices[row]] = true;
                }

                done = batch.EndPosition;
                progress.Report(done);
            }
        }

        return (probabilities, delivered, network.TakeEvaluationStatistics());
    }
}
