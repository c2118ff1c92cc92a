using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

internal sealed class GlobalAveragePoolLayer(IBackend backend, LayerDescription description) : Layer(backend, description)
{
    public override void Forward(Tensor x, Tensor y, PassContext context) => Backend.GlobalAveragePoolForward(x, y);

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (dx is not null)
        {
            Backend.GlobalAveragePoolBackward(dy, dx);
        }
    }
}
