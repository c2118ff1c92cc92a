using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>The network hands this layer a reshaped view of its input as output, so it does nothing.</summary>
internal sealed class FlattenLayer(IBackend backend, LayerDescription description) : Layer(backend, description)
{
    public override bool IsView => true;

    public override void Forward(Tensor x, Tensor y, PassContext context)
    {
    }

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
    }
}
