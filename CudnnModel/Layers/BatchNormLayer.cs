using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>Batch norm: batch statistics in training, running statistics in evaluation.</summary>
internal sealed class BatchNormLayer : Layer
{
    private readonly BatchNormSpec _spec;
    private readonly Parameter _gamma;
    private readonly Parameter _beta;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVariance;
    private readonly Tensor _savedMean;
    private readonly Tensor _savedInverseStd;

    public BatchNormLayer(IBackend backend, LayerDescription description, BatchNormSpec spec)
        : base(backend, description)
    {
        _spec = spec;
        var channels = Vector(description.Input.Channels);
        _gamma = ParameterFactory.Create(backend, $"{Name}.weight", channels);
        backend.Fill(_gamma.Value, 1f);
        _beta = ParameterFactory.Create(backend, $"{Name}.bias", channels);
        _runningMean = backend.Allocate(channels);
        _runningVariance = backend.Allocate(channels);
        backend.Fill(_runningVariance, 1f);
        _savedMean = backend.Allocate(channels);
        _savedInverseStd = backend.Allocate(channels);
        Parameters = [_gamma, _beta];
        Buffers =
        [
            new NamedTensor($"{Name}.running_mean", _runningMean),
            new NamedTensor($"{Name}.running_var", _runningVariance),
        ];
        Kept = [_savedMean, _savedInverseStd];
    }

    public override void Forward(Tensor x, Tensor y, PassContext context)
    {
        if (context.Training)
        {
            Backend.BatchNormForwardTraining(x, y, _gamma.Value, _beta.Value, _runningMean, _runningVariance,
                _savedMean, _savedInverseStd, _spec.Momentum, _spec.Epsilon);
        }
        else
        {
            Backend.BatchNormForwardInference(x, y, _gamma.Value, _beta.Value, _runningMean, _runningVariance, _spec.Epsilon);
        }
    }

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        // The input gradient is needed for the parameter gradients anyway, so it is always computed.
        var target = dx ?? Backend.Allocate(x.Shape);
        Backend.BatchNormBackward(x, dy, _gamma.Value, _savedMean, _savedInverseStd, target, _gamma.Gradient, _beta.Gradient);
        if (dx is null)
        {
            target.Dispose();
        }
    }
}
