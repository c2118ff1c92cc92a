using CatsDogs.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// A backend that forwards every op to a real one, except that after the op named at
/// construction it moves one element of that op's output by 1% of the output's scale: a
/// candidate that a comparison must catch in exactly that op.
/// </summary>
internal sealed class SkewingBackend(IBackend inner, string skewed) : ForwardingBackend(inner)
{
    public override void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding)
    {
        base.ConvolutionBackwardFilter(x, dy, dw, padding);
        Skew(nameof(ConvolutionBackwardFilter), dw);
    }

    public override void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        base.MaxPoolBackward(x, y, dy, dx, window);
        Skew(nameof(MaxPoolBackward), dx);
    }

    public override void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step)
    {
        base.AdamWUpdate(weights, gradient, firstMoment, secondMoment, gradientScale, step);
        Skew(nameof(AdamWUpdate), weights);
    }

    private void Skew(string op, Tensor output)
    {
        if (op != skewed)
        {
            return;
        }

        var values = new float[output.Shape.Count];
        Inner.Download(output, values);
        values[values.Length / 2] += 0.01f * values.Max(Math.Abs);
        Inner.Upload(values, output);
    }
}
