using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

internal sealed class MaxPoolLayer(IBackend backend, LayerDescription description, MaxPoolSpec spec) : Layer(backend, description)
{
    public override void Forward(Tensor x, Tensor y, PassContext context) => Backend.MaxPoolForward(x, y, spec.Window);

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (dx is not null)
        {
            Backend.MaxPoolBackward(x, y, dy, dx, spec.Window);
        }
    }
}
