using CatsDogs.Model.Backends;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Tests.Model.Training;

/// <summary>Training behaviour of whole networks; derive once per backend.</summary>
public abstract class NetworkTests : IDisposable
{
    private const int Size = 16;

    private protected NetworkTests(ComputeDevice device) => Device = device;

    private protected ComputeDevice Device { get; }

    /// <summary>Exercises conv + bias + ReLU, pooling, batch norm, a separate ReLU, global pooling and dense.</summary>
    internal static ModelSpec Tiny { get; } = new("tiny",
    [
        new ConvolutionSpec("conv1", 8, Relu: true),
        new MaxPoolSpec("pool1"),
        new ConvolutionSpec("conv2", 16, Bias: false),
        new BatchNormSpec("bn2"),
        new ReluSpec("relu2"),
        new GlobalAveragePoolSpec("gap"),
        new DenseSpec("output", 1),
    ]);

    [Fact]
    public void Tiny_net_learns_stripe_orientation()
    {
        var options = new NetworkOptions { Seed = 7, LearningRate = 0.05f, Optimizer = new SgdConfig { Nesterov = true, WeightDecay = 5e-4f } };
        var (first, last, held) = TrainOnStripes(Tiny, options, epochs: 6);

        Assert.True(last.MeanLoss < 0.5 * first.MeanLoss, $"Training loss went from {first.MeanLoss:F3} to {last.MeanLoss:F3}.");
        Assert.True(held.Accuracy > 0.95, $"Held-out accuracy is {held.Accuracy:P1}.");
    }

    [Fact]
    public void Baseline_with_dropout_learns_stripe_orientation_with_AdamW()
    {
        var options = new NetworkOptions { Seed = 3, LearningRate = 1e-3f, Optimizer = new AdamWConfig() };
        var (first, last, held) = TrainOnStripes(ModelPresets.Baseline, options, epochs: 4);

        Assert.True(last.MeanLoss < 0.5 * first.MeanLoss, $"Training loss went from {first.MeanLoss:F3} to {last.MeanLoss:F3}.");
        Assert.True(held.Accuracy > 0.95, $"Held-out accuracy is {held.Accuracy:P1}.");
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_another_seed_does_not()
    {
        using var images = new StripeImages(96, Size, seed: 1);
        var options = new NetworkOptions { Seed = 11, LearningRate = 0.02f, Optimizer = new SgdConfig(), ClipGradientNorm = 1f };

        var first = TrainedWeights(options);
        var second = TrainedWeights(options);
        var other = TrainedWeights(options with { Seed = 12 });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);

        float[] TrainedWeights(NetworkOptions networkOptions)
        {
            using var network = Network.Create(ModelPresets.Baseline, Size, Size, Device, networkOptions);
            foreach (var batch in images.Batches(40))
            {
                network.TrainStep(batch);
            }

            return ReadAll(network);
        }
    }

    [Fact]
    public void Clipping_bounds_each_plain_SGD_step_by_rate_times_norm()
    {
        using var images = new StripeImages(32, Size, seed: 2);
        var options = new NetworkOptions { Seed = 5, LearningRate = 0.1f, Optimizer = new SgdConfig { Momentum = 0f }, ClipGradientNorm = 0.01f };
        using var network = Network.Create(Tiny, Size, Size, Device, options);
        var before = ReadParameters(network);

        network.TrainStep(images.Batch(0, 32));

        var step = Math.Sqrt(ReadParameters(network).Zip(before, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.InRange(step, 0.1 * 0.01 * 0.99, 0.1 * 0.01 * 1.01);
    }

    [Fact]
    public void Evaluate_gives_probabilities_consistent_with_its_statistics()
    {
        using var images = new StripeImages(20, Size, seed: 4);
        using var network = Network.Create(Tiny, Size, Size, Device, new NetworkOptions { Seed = 1 });
        var probabilities = new float[20];

        network.Evaluate(images.Batch(0, 20), probabilities);
        var statistics = network.TakeEvaluationStatistics();

        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        var labels = images.Batch(0, 20).LabelSpan.ToArray();
        var correct = probabilities.Zip(labels, (p, label) => (p >= 0.5f) == (label == 1f)).Count(ok => ok);
        Assert.Equal(correct, statistics.Correct);
        Assert.Equal(20, statistics.Count);
        Assert.Equal(0, network.TakeEvaluationStatistics().Count);
    }

    [Fact]
    public void A_batch_of_another_image_size_is_rejected_with_both_sizes_named()
    {
        using var images = new StripeImages(2, 8, seed: 0);
        using var network = Network.Create(Tiny, Size, Size, Device, new NetworkOptions());

        var error = Assert.Throws<ArgumentException>(() => network.TrainStep(images.Batch(0, 2)));
        Assert.Contains("8x8", error.Message);
        Assert.Contains("16x16", error.Message);
    }

    public void Dispose()
    {
        Device.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static float[] ReadAll(Network network) =>
        network.SavedTensors.SelectMany(named => Read(network, named.Tensor)).ToArray();

    private static float[] ReadParameters(Network network) =>
        network.Parameters.SelectMany(parameter => Read(network, parameter.Value)).ToArray();

    private static float[] Read(Network network, Tensor tensor)
    {
        var values = new float[tensor.Shape.Count];
        network.Backend.Download(tensor, values);
        return values;
    }

    private (BatchStatistics First, BatchStatistics Last, BatchStatistics HeldOut) TrainOnStripes(ModelSpec spec, NetworkOptions options, int epochs)
    {
        using var train = new StripeImages(480, Size, seed: 21);
        using var test = new StripeImages(200, Size, seed: 22);
        using var network = Network.Create(spec, Size, Size, Device, options);
        var history = new List<BatchStatistics>();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            // 480 = 13 x 36 + 12: every epoch ends with a short batch that runs on views of the same memory.
            foreach (var batch in train.Batches(36))
            {
                network.TrainStep(batch);
            }

            history.Add(network.TakeTrainingStatistics());
        }

        foreach (var batch in test.Batches(64))
        {
            network.Evaluate(batch);
        }

        return (history[0], history[^1], network.TakeEvaluationStatistics());
    }
}
