using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Training;

/// <summary>
/// The activation and gradient tensors of a network, sized for the largest batch seen so far.
/// Smaller batches (an epoch's last) use views of the same memory, so nothing is reallocated
/// per step.
/// <para>
/// Each layer output has its own buffer (backward passes read both input and output), except
/// for view layers (flatten), which reuse their input's. Gradients need only two buffers used
/// in turn: a layer reads the gradient of its output and writes that of its input. A residual add also keeps
/// the gradient of its output for the layer it skips back to, which reads it only after the layers between have run.
/// </para>
/// </summary>
internal sealed class ActivationMemory : IDisposable
{
    private readonly IBackend _backend;
    private readonly IReadOnlyList<Layer> _layers;
    private readonly FeatureShape _input;
    private readonly Dictionary<int, BatchTensors> _views = [];
    private readonly List<Tensor> _owned = [];
    private int _capacity;
    private Tensor[] _outputs = [];
    private Tensor[] _gradientSlots = [];
    private Tensor?[] _skipGradients = [];
    private Tensor? _images;
    private Tensor? _labels;

    public ActivationMemory(IBackend backend, IReadOnlyList<Layer> layers, FeatureShape input)
    {
        _backend = backend;
        _layers = layers;
        _input = input;
    }

    /// <summary>Views for a batch of <paramref name="batch"/> images, growing the memory when needed.</summary>
    public BatchTensors For(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (batch > _capacity)
        {
            Grow(batch);
        }

        if (!_views.TryGetValue(batch, out var views))
        {
            views = CreateViews(batch);
            _views[batch] = views;
        }

        return views;
    }

    public void Dispose()
    {
        foreach (var tensor in _owned)
        {
            tensor.Dispose();
        }

        _owned.Clear();
    }

    private static TensorShape Shape(int batch, FeatureShape features) => new(batch, features.Channels, features.Height, features.Width);

    private static int SlotOf(IReadOnlyList<Layer> layers, int index)
    {
        var slot = 0;
        for (var i = 0; i <= index; i++)
        {
            slot = layers[i].IsView ? slot : 1 - slot;
        }

        return slot;
    }

    private void Grow(int batch)
    {
        Dispose();
        _views.Clear();
        _capacity = batch;
        _images = Own(Shape(batch, _input));
        _labels = Own(new TensorShape(batch, 1));
        _outputs = new Tensor[_layers.Count];
        var slotSizes = new int[2];
        for (var i = 0; i < _layers.Count; i++)
        {
            var shape = Shape(batch, _layers[i].Description.Output);
            _outputs[i] = _layers[i].IsView ? (i == 0 ? _images : _outputs[i - 1]) : Own(shape);
            var slot = SlotOf(_layers, i);
            slotSizes[slot] = Math.Max(slotSizes[slot], shape.Count);
        }

        _gradientSlots = slotSizes.Select(size => Own(new TensorShape(Math.Max(size, 1), 1))).ToArray();
        _skipGradients = _layers.Select(layer => layer.Description.SkipFrom is null ? null : Own(Shape(batch, layer.Description.Output))).ToArray();
    }

    private Tensor Own(TensorShape shape)
    {
        var tensor = _backend.Allocate(shape);
        _owned.Add(tensor);
        return tensor;
    }

    private BatchTensors CreateViews(int batch)
    {
        var outputs = new Tensor[_layers.Count];
        var gradients = new Tensor[_layers.Count];
        var skipGradients = new Tensor?[_layers.Count];
        for (var i = 0; i < _layers.Count; i++)
        {
            var shape = Shape(batch, _layers[i].Description.Output);
            outputs[i] = _backend.View(_outputs[i], shape);
            gradients[i] = _backend.View(_gradientSlots[SlotOf(_layers, i)], shape);
            skipGradients[i] = _skipGradients[i] is { } skip ? _backend.View(skip, shape) : null;
        }

        return new BatchTensors(_backend.View(_images!, Shape(batch, _input)), _backend.View(_labels!, new TensorShape(batch, 1)), outputs, gradients, skipGradients);
    }
}

/// <summary>
/// One batch size's tensors: the images and labels, each layer's output, the gradient of
/// each layer's output, and a residual add's copy of that gradient for the layer it skips back to (null elsewhere).
/// </summary>
internal sealed record BatchTensors(Tensor Images, Tensor Labels, Tensor[] Outputs, Tensor[] Gradients, Tensor?[] SkipGradients)
{
    public Tensor Logits => Outputs[^1];

    public Tensor InputOf(int layer) => layer == 0 ? Images : Outputs[layer - 1];
}
