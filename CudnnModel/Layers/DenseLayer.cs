using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>y = scale * x W^T + b with W stored [units, inputs] (PyTorch's layout); x may keep its NCHW shape.</summary>
internal sealed class DenseLayer : Layer
{
    private readonly DenseSpec _spec;
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    public DenseLayer(IBackend backend, LayerDescription description, DenseSpec spec, ulong seed)
        : base(backend, description)
    {
        _spec = spec;
        var inputs = description.Input.Count;
        var shape = new TensorShape(spec.Units, inputs);
        _weight = ParameterFactory.Create(backend, $"{Name}.weight", shape);
        backend.Upload(spec.Relu
            ? Initializers.HeNormal(shape.Count, inputs, seed)
            : Initializers.GlorotUniform(shape.Count, inputs, spec.Units, seed), _weight.Value);
        _bias = ParameterFactory.Create(backend, $"{Name}.bias", Vector(spec.Units));
        Parameters = [_weight, _bias];
    }

    public override void Forward(Tensor x, Tensor y, PassContext context)
    {
        Backend.Gemm(false, true, _spec.Scale, x, _weight.Value, 0f, y);
        Backend.AddBias(y, _bias.Value);
        if (_spec.Relu)
        {
            Backend.ReluForward(y, y);
        }
    }

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (_spec.Relu)
        {
            Backend.ReluBackward(y, dy, dy);
        }

        Backend.BiasBackward(dy, _bias.Gradient);
        Backend.Gemm(true, false, _spec.Scale, dy, x, 0f, _weight.Gradient);
        if (dx is not null)
        {
            Backend.Gemm(false, false, _spec.Scale, dy, _weight.Value, 0f, dx);
        }
    }
}
