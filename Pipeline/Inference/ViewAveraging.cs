using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Batching;

namespace CatsDogs.Pipeline.Inference;

/// <summary>One batch's P(dog) under a <see cref="TestTimeAugmentation"/>: evaluate, predict and the trainer's validation share it.</summary>
internal sealed class ViewAveraging(TestTimeAugmentation tta, int batchSize)
{
    private readonly IReadOnlyList<TileView> _views = tta.Views();
    private readonly float[] _viewProbabilities = new float[batchSize];
    private byte[] _originals = [];

    /// <summary>
    /// Writes the batch's P(dog) into <paramref name="probabilities"/>, the mean over the augmentation's views. With
    /// more than the image itself, the tiles are overwritten with each further view, so the batch's pixels are spent.
    /// </summary>
    public void Evaluate(Network network, BatchBuffer batch, Span<float> probabilities)
    {
        network.Evaluate(batch.View, probabilities);
        if (_views.Count == 1)
        {
            return;
        }

        var bytes = batch.ImageBytes;
        if (_originals.Length < batch.Count * bytes)
        {
            _originals = new byte[batchSize * bytes];
        }

        for (var row = 0; row < batch.Count; row++)
        {
            batch.Image(row).CopyTo(_originals.AsSpan(row * bytes, bytes));
        }

        foreach (var view in _views.Skip(1))
        {
            // The tiles are overwritten in place, so the device must be done reading them first.
            network.WaitForUploads();
            for (var row = 0; row < batch.Count; row++)
            {
                view.Render(_originals.AsSpan(row * bytes, bytes), batch.Image(row), batch.ImageSize);
            }

            network.Evaluate(batch.View, _viewProbabilities);
            for (var row = 0; row < batch.Count; row++)
            {
                probabilities[row] += _viewProbabilities[row];
            }
        }

        for (var row = 0; row < batch.Count; row++)
        {
            probabilities[row] /= _views.Count;
        }
    }
}
