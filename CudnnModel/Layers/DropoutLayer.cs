using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

/// <summary>Identity in evaluation; in training the mask comes from the step's seed, so backward needs no stored mask.</summary>
internal sealed class DropoutLayer(IBackend backend, LayerDescription description, DropoutSpec spec) : Layer(backend, description)
{
    public override void Forward(Tensor x, Tensor y, PassContext context)
    {
        if (context.Training)
        {
            Backend.DropoutForward(x, y, spec.Rate, context.Seed);
        }
        else
        {
            Backend.Copy(x, y);
        }
    }

    public override void Backward(Tensor x, Tensor y, Tensor dy, Tensor? dx, PassContext context)
    {
        if (dx is not null)
        {
            Backend.DropoutBackward(dy, dx, spec.Rate, context.Seed);
        }
    }
}
