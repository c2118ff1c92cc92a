using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// Optimizer steps and gradient clipping: NVRTC kernels, reading an optional device-side gradient scale.
internal sealed partial class CudaBackend
{
    public void AccumulateSquaredNorm(Tensor x, Tensor sum)
    {
        Same(new TensorShape(1, 1), sum.Shape);
        Enter();
        _kernels.SquaredNorm(Cuda(x).Address, x.Shape.Count, Cuda(sum).Address, _compute);
    }

    public void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor)
    {
        Same(new TensorShape(1, 1), sumOfSquares.Shape);
        Same(new TensorShape(1, 1), factor.Shape);
        Enter();
        _kernels.ClipFactor(Cuda(sumOfSquares).Address, maxNorm, Cuda(factor).Address, _compute);
    }

    public void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, velocity.Shape);
        Enter();
        _kernels.SgdUpdate(Cuda(weights).Address, Cuda(gradient).Address, Cuda(velocity).Address, ScaleOf(gradientScale),
            weights.Shape.Count, step, _compute);
    }

    public void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, firstMoment.Shape);
        Same(weights.Shape, secondMoment.Shape);
        Enter();
        _kernels.AdamWUpdate(Cuda(weights).Address, Cuda(gradient).Address, Cuda(firstMoment).Address, Cuda(secondMoment).Address,
            ScaleOf(gradientScale), weights.Shape.Count, step, _compute);
    }

    private static ulong ScaleOf(Tensor? gradientScale)
    {
        if (gradientScale is null)
        {
            return 0;
        }

        Same(new TensorShape(1, 1), gradientScale.Shape);
        return Cuda(gradientScale).Address;
    }
}
