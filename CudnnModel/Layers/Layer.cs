using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>
/// A layer at run time: its parameters on a backend and the ops of its forward and backward
/// passes. Activation and gradient tensors belong to the network, which passes them in.
/// </summary>
internal abstract class Layer : IDisposable
{
    protected Layer(IBackend backend, LayerDescription description)
    {
        Backend = backend;
        Description = description;
    }

    public LayerDescription Description { get; }

    public string Name => Description.Spec.Name;

    /// <summary>Trained tensors with their gradients.</summary>
    public IReadOnlyList<Parameter> Parameters { get; protected init; } = [];

    /// <summary>Saved but untrained tensors, such as batch norm's running statistics.</summary>
    public IReadOnlyList<NamedTensor> Buffers { get; protected init; } = [];

    /// <summary>Tensors kept from the forward pass for the backward one, neither trained nor saved (batch norm's batch statistics).</summary>
    protected IReadOnlyList<Tensor> Kept { get; init; } = [];

    /// <summary>True when the output is the input under another shape (flatten): no work in either pass.</summary>
    public virtual bool IsView => false;

    protected IBackend Backend { get; }

    public abstract void Forward(Tensor x, Tensor y, PassContext context);

    /// <summary>
    /// Writes parameter gradients and, unless <paramref name="dx"/> is null (first layer), the
    /// input gradient. May overwrite <paramref name="dy"/>, which no one reads afterwards.
    /// </summary>
    public abstract void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context);

    public void Dispose()
    {
        foreach (var parameter in Parameters)
        {
            parameter.Value.Dispose();
            parameter.Gradient.Dispose();
        }

        foreach (var buffer in Buffers)
        {
            buffer.Tensor.Dispose();
        }

        foreach (var tensor in Kept)
        {
            tensor.Dispose();
        }
    }

    protected TensorShape Vector(int length) => new(length, 1);
}

/// <summary>What a pass needs besides tensors: the mode, and the seed of this step's dropout masks.</summary>
internal readonly record struct PassContext(bool Training, ulong Seed);

/// <summary>A tensor saved under a checkpoint name such as "bn1.running_mean".</summary>
internal readonly record struct NamedTensor(string Name, Tensor Tensor);

/// <summary>A trained tensor and its gradient, named as in checkpoints ("conv1.weight").</summary>
internal sealed record Parameter(string Name, Tensor Value, Tensor Gradient);
