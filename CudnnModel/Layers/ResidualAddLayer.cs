using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>
/// The identity on the block's path. The network, which owns the activations, adds the skipped-over layer's output
/// after <see cref="Forward"/> and hands that layer a copy of the gradient in the backward pass
/// (<see cref="LayerDescription.SkipFrom"/>): a layer sees only its own input and output.
/// </summary>
internal sealed class ResidualAddLayer(IBackend backend, LayerDescription description) : Layer(backend, description)
{
    public override void Forward(Tensor x, Tensor y, PassContext context) => Backend.Copy(x, y);

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (dx is not null)
        {
            Backend.Copy(dy, dx);
        }
    }
}
