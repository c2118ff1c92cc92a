using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

internal sealed class ConvolutionLayer : Layer
{
    private readonly ConvolutionSpec _spec;
    private readonly Parameter _weight;
    private readonly Parameter? _bias;

    public ConvolutionLayer(IBackend backend, LayerDescription description, ConvolutionSpec spec, ulong seed)
        : base(backend, description)
    {
        _spec = spec;
        var input = description.Input;
        var shape = new TensorShape(spec.Filters, input.Channels, spec.Kernel, spec.Kernel);
        _weight = ParameterFactory.Create(backend, $"{Name}.weight", shape);
        // Every convolution here feeds a ReLU, directly or through batch norm.
        backend.Upload(Initializers.HeNormal(shape.Count, shape.ItemSize, seed), _weight.Value);
        _bias = spec.Bias ? ParameterFactory.Create(backend, $"{Name}.bias", Vector(spec.Filters)) : null;
        Parameters = _bias is null ? [_weight] : [_weight, _bias];
    }

    public override void Forward(Tensor x, Tensor y, PassContext context)
    {
        Backend.ConvolutionForward(x, _weight.Value, _bias?.Value, y, _spec.Padding, _spec.Relu);
    }

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (_spec.Relu)
        {
            Backend.ReluBackward(y, dy, dy);
        }

        if (_bias is not null)
        {
            Backend.BiasBackward(dy, _bias.Gradient);
        }

        Backend.ConvolutionBackwardFilter(x, dy, _weight.Gradient, _spec.Padding);
        if (dx is not null)
        {
            Backend.ConvolutionBackwardData(dy, _weight.Value, dx, _spec.Padding);
        }
    }
}
