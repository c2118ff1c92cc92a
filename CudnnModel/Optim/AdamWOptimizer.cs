using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;

namespace CatsDogs.Model.Optim;

internal sealed class AdamWOptimizer : Optimizer
{
    private readonly AdamWConfig _config;
    private readonly Tensor[] _first;
    private readonly Tensor[] _second;

    public AdamWOptimizer(IBackend backend, AdamWConfig config, IReadOnlyList<Parameter> parameters)
        : base(backend)
    {
        _config = config;
        _first = parameters.Select(parameter => AddState(parameter, "exp_avg")).ToArray();
        _second = parameters.Select(parameter => AddState(parameter, "exp_avg_sq")).ToArray();
    }

    public override void Update(int index, Parameter parameter, float learningRate, Tensor? gradientScale, long step) =>
        Backend.AdamWUpdate(parameter.Value, parameter.Gradient, _first[index], _second[index], gradientScale,
            new AdamWStep(learningRate, _config.Beta1, _config.Beta2, _config.Epsilon, _config.WeightDecay, step));
}
