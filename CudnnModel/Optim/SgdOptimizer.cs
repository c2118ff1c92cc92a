using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;

namespace CatsDogs.Model.Optim;

internal sealed class SgdOptimizer : Optimizer
{
    private readonly SgdConfig _config;
    private readonly Tensor[] _velocity;

    public SgdOptimizer(IBackend backend, SgdConfig config, IReadOnlyList<Parameter> parameters)
        : base(backend)
    {
        _config = config;
        _velocity = parameters.Select(parameter => AddState(parameter, "momentum_buffer")).ToArray();
    }

    public override void Update(int index, Parameter parameter, float learningRate, Tensor? gradientScale, long step) =>
        Backend.SgdUpdate(parameter.Value, parameter.Gradient, _velocity[index], gradientScale,
            new SgdStep(learningRate, _config.Momentum, _config.Nesterov, _config.WeightDecay));
}
