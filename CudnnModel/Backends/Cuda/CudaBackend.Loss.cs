using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// The loss: sigmoid and binary cross-entropy in one NVRTC kernel.
internal sealed partial class CudaBackend
{
    public void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats, float smoothing)
    {
        Same(new TensorShape(logits.Shape.N, 1), logits.Shape);
        Same(logits.Shape, labels.Shape);
        Same(new TensorShape(3, 1), stats.Shape);
        if (dlogits is not null)
        {
            Same(logits.Shape, dlogits.Shape);
        }

        Enter();
        _kernels.SigmoidCrossEntropy(Cuda(logits).Address, Cuda(labels).Address, dlogits is null ? 0 : Cuda(dlogits).Address,
            Cuda(stats).Address, logits.Shape.N, smoothing, _compute);
    }
}
