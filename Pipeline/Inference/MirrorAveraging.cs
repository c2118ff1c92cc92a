using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Batching;

namespace CatsDogs.Pipeline.Inference;

/// <summary>One batch's P(dog) under a <see cref="TestTimeAugmentation"/>: evaluate, predict and the trainer's validation share it.</summary>
internal sealed class MirrorAveraging(TestTimeAugmentation tta, int batchSize)
{
    private readonly float[] _mirrored = tta == TestTimeAugmentation.Flip ? new float[batchSize] : [];

    /// <summary>
    /// Writes the batch's P(dog) into <paramref name="probabilities"/>. With <see cref="TestTimeAugmentation.Flip"/> the
    /// tiles are mirrored in place afterwards, so the batch's pixels are spent.
    /// </summary>
    public void Evaluate(Network network, BatchBuffer batch, Span<float> probabilities)
    {
        network.Evaluate(batch.View, probabilities);
        if (tta != TestTimeAugmentation.Flip)
        {
            return;
        }

        // The tiles are mirrored in place, so the device must be done reading them first.
        network.WaitForUploads();
        for (var row = 0; row < batch.Count; row++)
        {
            HorizontalMirror.Apply(batch.Image(row), batch.ImageSize);
        }

        network.Evaluate(batch.View, _mirrored);
        for (var row = 0; row < batch.Count; row++)
        {
            probabilities[row] = (probabilities[row] + _mirrored[row]) / 2;
        }
    }
}
