using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;

namespace CatsDogs.Model.Optim;

/// <summary>
/// Per-parameter optimizer state on the backend and the update that uses it. The state tensors
/// are named "{parameter}.{moment}" so checkpoints can save and restore them.
/// </summary>
internal abstract class Optimizer : IDisposable
{
    private readonly List<NamedTensor> _state = [];

    protected Optimizer(IBackend backend) => Backend = backend;

    public IReadOnlyList<NamedTensor> State => _state;

    protected IBackend Backend { get; }

    public static Optimizer Create(IBackend backend, OptimizerConfig config, IReadOnlyList<Parameter> parameters) => config switch
    {
        SgdConfig sgd => new SgdOptimizer(backend, sgd, parameters),
        AdamWConfig adamW => new AdamWOptimizer(backend, adamW, parameters),
        _ => throw new NotSupportedException($"No optimizer implements {config.GetType().Name}."),
    };

    /// <summary>Applies one step to parameter <paramref name="index"/>; <paramref name="step"/> is 1-based.</summary>
    public abstract void Update(int index, Parameter parameter, float learningRate, Tensor? gradientScale, long step);

    public void Dispose()
    {
        foreach (var state in _state)
        {
            state.Tensor.Dispose();
        }
    }

    protected Tensor AddState(Parameter parameter, string moment)
    {
        var tensor = Backend.Allocate(parameter.Value.Shape);
        _state.Add(new NamedTensor($"{parameter.Name}.{moment}", tensor));
        return tensor;
    }
}
