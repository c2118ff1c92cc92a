using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// Activations and dropout: cuDNN's ReLU, and NVRTC kernels for sigmoid and the counter-based dropout mask.
internal sealed partial class CudaBackend
{
    public void ReluForward(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        Enter();
        var descriptor = _descriptors.For(x.Shape);
        _cudnn.ActivationForward(_relu, alpha: 1f, descriptor, Cuda(x).Address, beta: 0f, descriptor, Cuda(y).Address);
    }

    /// <summary>y stands in for x: relu(x) &gt; 0 exactly where x &gt; 0, so the mask is the same, and y is what callers keep.</summary>
    public void ReluBackward(Tensor y, Tensor dy, Tensor dx)
    {
        Same(y.Shape, dy.Shape);
        Same(y.Shape, dx.Shape);
        Enter();
        var descriptor = _descriptors.For(y.Shape);
        var output = Cuda(y).Address;
        _cudnn.ActivationBackward(_relu, alpha: 1f, descriptor, output, descriptor, Cuda(dy).Address, descriptor, output, beta: 0f, descriptor, Cuda(dx).Address);
    }

    /// <summary>
    /// A kernel rather than cuDNN's dropout: the interface fixes the mask as
    /// <see cref="CounterRandom"/> of (seed, index), so that CPU and GPU agree, checkpoints
    /// need no RNG state and backward needs no reserve space.
    /// </summary>
    public void DropoutForward(Tensor x, Tensor y, float rate, ulong seed) => Dropout(x, y, rate, seed);

    public void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed) => Dropout(dy, dx, rate, seed);

    public void Sigmoid(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        Enter();
        _kernels.Sigmoid(Cuda(x).Address, Cuda(y).Address, x.Shape.Count, _compute);
    }

    private void Dropout(Tensor x, Tensor y, float rate, ulong seed)
    {
        Same(x.Shape, y.Shape);
        Require(rate is >= 0f and < 1f);
        Enter();
        _kernels.Dropout(Cuda(x).Address, Cuda(y).Address, x.Shape.Count, rate, 1f / (1f - rate), seed, _compute);
    }
}
