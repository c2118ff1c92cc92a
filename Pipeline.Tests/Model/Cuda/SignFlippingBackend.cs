using CatsDogs.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// A backend that forwards every op to a real one, except that the <paramref name="call"/>-th call
/// (from 1) of the backward op named at construction returns its input gradient with the wrong
/// sign: one layer's backward pass broken, which a check of the network's gradients must catch in
/// every parameter before that layer and in none after it.
/// </summary>
internal sealed class SignFlippingBackend(IBackend inner, string op, int call) : ForwardingBackend(inner)
{
    private int _calls;

    public override void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding)
    {
        base.ConvolutionBackwardData(dy, w, dx, padding);
        Flip(nameof(ConvolutionBackwardData), dx);
    }

    public override void ReluBackward(Tensor y, Tensor dy, Tensor dx)
    {
        base.ReluBackward(y, dy, dx);
        Flip(nameof(ReluBackward), dx);
    }

    /// <summary>A residual add, in the backward pass: the skip's gradient joined to the path's, both turned around.</summary>
    public override void Add(Tensor x, Tensor y)
    {
        base.Add(x, y);
        Flip(nameof(Add), y);
    }

    public override void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        base.MaxPoolBackward(x, y, dy, dx, window);
        Flip(nameof(MaxPoolBackward), dx);
    }

    public override void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed)
    {
        base.DropoutBackward(dy, dx, rate, seed);
        Flip(nameof(DropoutBackward), dx);
    }

    public override void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInverseStd, Tensor dx, Tensor dgamma, Tensor dbeta)
    {
        base.BatchNormBackward(x, dy, gamma, savedMean, savedInverseStd, dx, dgamma, dbeta);
        Flip(nameof(BatchNormBackward), dx);
    }

    private void Flip(string called, Tensor gradient)
    {
        if (called != op || ++_calls != call)
        {
            return;
        }

        var values = new float[gradient.Shape.Count];
        Inner.Download(gradient, values);
        Inner.Upload([.. values.Select(v => -v)], gradient);
    }
}
