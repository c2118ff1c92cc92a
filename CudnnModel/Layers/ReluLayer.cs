using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

internal sealed class ReluLayer(IBackend backend, LayerDescription description) : Layer(backend, description)
{
    public override void Forward(Tensor x, Tensor y, PassContext context) => Backend.ReluForward(x, y);

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (dx is not null)
        {
            Backend.ReluBackward(y, dy, dx);
        }
    }
}
