using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Training;

/// <summary>
/// A model spec instantiated on a device: weights, optimizer state and the buffers to train and
/// evaluate it. This is the Trainer's whole interface to the model.
/// <para>
/// Training: set <see cref="LearningRate"/> (from a schedule) and call <see cref="TrainStep"/>
/// per batch. Loss and accuracy are summed on the device; read them with
/// <see cref="TakeTrainingStatistics"/> as often as the logs need, not every step, because a
/// read waits for the device. Validation: call <see cref="Evaluate(HostImageBatch, Span{float})"/>
/// per batch, then <see cref="TakeEvaluationStatistics"/>. Training always runs in training
/// mode (dropout on, batch statistics) and evaluation in inference mode; there is no mode flag
/// to forget.
/// </para>
/// <para>
/// Batch memory: a device backend uploads a batch asynchronously (on CUDA, on a copy stream while
/// the previous step still computes). The memory of the batch given to <see cref="TrainStep"/> or
/// <see cref="Evaluate(HostImageBatch, Span{float})"/> may be reused once the next such call has
/// returned, or after <see cref="WaitForUploads"/>, or after any call that reads results back
/// (statistics, probabilities). So a consumer holds two batches: the one uploading and the one before.
/// </para>
/// <para>Threading: not thread-safe; one caller drives it, from any thread.</para>
/// </summary>
public sealed class Network : IDisposable
{
    private readonly IBackend _backend;
    private readonly Layer[] _layers;
    // For each layer, the residual adds that skip back to it: their gradients join its own.
    private readonly int[][] _skipsInto;
    private readonly Parameter[] _parameters;
    private readonly Optimizer _optimizer;
    private readonly ActivationMemory _activations;
    private readonly Tensor _trainingStatistics;
    private readonly Tensor _evaluationStatistics;
    private readonly Tensor _squaredNorm;
    private readonly Tensor _clipFactor;

    private Network(ModelSpec spec, int height, int width, ComputeDevice device, NetworkOptions options)
    {
        Spec = spec;
        (ImageHeight, ImageWidth) = (height, width);
        Options = options;
        LearningRate = options.LearningRate;
        _backend = device.Backend;
        var descriptions = spec.Describe(height, width);
        _layers = descriptions
            .Select((description, index) => LayerFactory.Create(_backend, description, CounterRandom.Combine(options.Seed, (ulong)index)))
            .ToArray();
        _skipsInto = descriptions
            .Select((_, layer) => Enumerable.Range(0, descriptions.Count).Where(add => descriptions[add].SkipFrom == layer).ToArray())
            .ToArray();
        _parameters = _layers.SelectMany(layer => layer.Parameters).ToArray();
        _optimizer = Optimizer.Create(_backend, options.Optimizer, _parameters);
        _activations = new ActivationMemory(_backend, _layers, new FeatureShape(ModelSpec.InputChannels, height, width));
        _trainingStatistics = _backend.Allocate(new TensorShape(3, 1));
        _evaluationStatistics = _backend.Allocate(new TensorShape(3, 1));
        _squaredNorm = _backend.Allocate(new TensorShape(1, 1));
        _clipFactor = _backend.Allocate(new TensorShape(1, 1));
    }

    public ModelSpec Spec { get; }

    public int ImageHeight { get; }

    public int ImageWidth { get; }

    public NetworkOptions Options { get; }

    /// <summary>Optimizer steps taken so far; restored from checkpoints.</summary>
    public long Step { get; internal set; }

    /// <summary>The rate the next <see cref="TrainStep"/> uses; set it per step from a schedule.</summary>
    public float LearningRate { get; set; }

    /// <summary>Trained parameters (Keras' "trainable params").</summary>
    public long ParameterCount => Spec.Describe(ImageHeight, ImageWidth).Sum(layer => layer.TrainableParameters);

    internal IBackend Backend => _backend;

    internal IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>What inference needs, layer by layer: each layer's parameters, then its buffers (batch norm's running statistics).</summary>
    internal IEnumerable<NamedTensor> InferenceTensors =>
        _layers.SelectMany(layer => layer.Parameters.Select(parameter => new NamedTensor(parameter.Name, parameter.Value)).Concat(layer.Buffers));

    /// <summary>Everything that a checkpoint must hold, parameters first, each under its own name.</summary>
    internal IEnumerable<NamedTensor> SavedTensors => InferenceTensors.Concat(_optimizer.State);

    /// <summary>Builds a network with freshly initialised weights (seeded by <see cref="NetworkOptions.Seed"/>).</summary>
    public static Network Create(ModelSpec spec, int imageHeight, int imageWidth, ComputeDevice device, NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ClipGradientNorm is <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ClipGradientNorm, "ClipGradientNorm must be positive when set.");
        }

        if (options.LabelSmoothing is < 0f or >= 1f)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelSmoothing, "LabelSmoothing must be at least 0 and below 1.");
        }

        return new Network(spec, imageHeight, imageWidth, device, options);
    }

    /// <summary>
    /// One optimisation step on a labeled batch: forward in training mode, sigmoid + BCE, backward,
    /// optional clipping, and an optimizer update with <see cref="LearningRate"/>. Unlabeled
    /// (NaN) images contribute nothing.
    /// </summary>
    public void TrainStep(HostImageBatch batch)
    {
        var tensors = Load(batch);
        var stepSeed = CounterRandom.Combine(Options.Seed ^ 0x5DEECE66DUL, (ulong)Step);
        Forward(tensors, training: true, stepSeed);
        _backend.SigmoidCrossEntropy(tensors.Logits, tensors.Labels, tensors.Gradients[^1], _trainingStatistics, Options.LabelSmoothing);
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            if (tensors.SkipGradients[i] is { } skip)
            {
                _backend.Copy(tensors.Gradients[i], skip);
            }

            var layer = _layers[i];
            layer.Backward(tensors.InputOf(i), tensors.Outputs[i], tensors.Gradients[i], i == 0 ? null : tensors.Gradients[i - 1],
                Context(training: true, stepSeed, i));
            if (i > 0)
            {
                foreach (var add in _skipsInto[i - 1])
                {
                    _backend.Add(tensors.SkipGradients[add]!, tensors.Gradients[i - 1]);
                }
            }
        }

        Step++;
        var scale = ClipGradients();
        for (var i = 0; i < _parameters.Length; i++)
        {
            _optimizer.Update(i, _parameters[i], LearningRate, scale, Step);
        }
    }

    /// <summary>
    /// Forward pass in inference mode. Labeled images add to the evaluation statistics; when
    /// <paramref name="probabilities"/> is not empty it receives P(dog) for each image, which
    /// waits for the device.
    /// </summary>
    public void Evaluate(HostImageBatch batch, Span<float> probabilities = default)
    {
        if (!probabilities.IsEmpty && probabilities.Length < batch.Count)
        {
            throw new ArgumentException($"probabilities holds {probabilities.Length} values but the batch has {batch.Count} images.", nameof(probabilities));
        }

        var tensors = Load(batch);
        Forward(tensors, training: false, stepSeed: 0);
        _backend.SigmoidCrossEntropy(tensors.Logits, tensors.Labels, null, _evaluationStatistics, 0f);
        if (!probabilities.IsEmpty)
        {
            var output = tensors.Gradients[^1];
            _backend.Sigmoid(tensors.Logits, output);
            _backend.Download(output, probabilities[..batch.Count]);
        }
    }

    /// <summary>Returns once no batch given so far is still being read from host memory.</summary>
    public void WaitForUploads() => _backend.WaitForUploads();

    /// <summary>Reads and resets the training loss and accuracy summed since the last call.</summary>
    public BatchStatistics TakeTrainingStatistics() => Take(_trainingStatistics);

    /// <summary>Reads and resets the evaluation loss and accuracy summed since the last call.</summary>
    public BatchStatistics TakeEvaluationStatistics() => Take(_evaluationStatistics);

    public void Dispose()
    {
        foreach (var layer in _layers)
        {
            layer.Dispose();
        }

        _optimizer.Dispose();
        _activations.Dispose();
        _trainingStatistics.Dispose();
        _evaluationStatistics.Dispose();
        _squaredNorm.Dispose();
        _clipFactor.Dispose();
    }

    private static PassContext Context(bool training, ulong stepSeed, int layer) =>
        new(training, CounterRandom.Combine(stepSeed, (ulong)layer));

    private BatchTensors Load(HostImageBatch batch)
    {
        if (batch.Height != ImageHeight || batch.Width != ImageWidth)
        {
            throw new ArgumentException($"The batch holds {batch.Height}x{batch.Width} images but the network was built for {ImageHeight}x{ImageWidth}.", nameof(batch));
        }

        var tensors = _activations.For(batch.Count);
        _backend.LoadImages(batch, tensors.Images, tensors.Labels);
        return tensors;
    }

    private void Forward(BatchTensors tensors, bool training, ulong stepSeed)
    {
        for (var i = 0; i < _layers.Length; i++)
        {
            _layers[i].Forward(tensors.InputOf(i), tensors.Outputs[i], Context(training, stepSeed, i));
            if (_layers[i].Description.SkipFrom is { } from)
            {
                _backend.Add(tensors.Outputs[from], tensors.Outputs[i]);
            }
        }
    }

    private Tensor? ClipGradients()
    {
        if (Options.ClipGradientNorm is not { } maxNorm)
        {
            return null;
        }

        _backend.Fill(_squaredNorm, 0f);
        foreach (var parameter in _parameters)
        {
            _backend.AccumulateSquaredNorm(parameter.Gradient, _squaredNorm);
        }

        _backend.ClipFactor(_squaredNorm, maxNorm, _clipFactor);
        return _clipFactor;
    }

    private BatchStatistics Take(Tensor statistics)
    {
        Span<float> values = stackalloc float[3];
        _backend.Download(statistics, values);
        _backend.Fill(statistics, 0f);
        return new BatchStatistics(values[0], (long)values[1], (long)values[2]);
    }
}
