using CatsDogs.Model.Native;
using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// Pooling: cuDNN's max pooling and NVRTC kernels for global average pooling.
internal sealed partial class CudaBackend
{
    public void MaxPoolForward(Tensor x, Tensor y, int window)
    {
        Same(x.Shape.Pooled(window), y.Shape);
        Enter();
        _cudnn.PoolingForward(Pooling(window), alpha: 1f, _descriptors.For(x.Shape), Cuda(x).Address, beta: 0f, _descriptors.For(y.Shape), Cuda(y).Address);
    }

    public void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        var output = x.Shape.Pooled(window);
        Same(output, y.Shape);
        Same(output, dy.Shape);
        Same(x.Shape, dx.Shape);
        Enter();
        if (x.Shape.H % window != 0 || x.Shape.W % window != 0)
        {
            // Rows and columns that floor drops belong to no window; make sure they read 0.
            Fill(dx, 0f);
        }

        _cudnn.PoolingBackward(Pooling(window), alpha: 1f, _descriptors.For(y.Shape), Cuda(y).Address,
            _descriptors.For(dy.Shape), Cuda(dy).Address, _descriptors.For(x.Shape), Cuda(x).Address, beta: 0f, _descriptors.For(dx.Shape), Cuda(dx).Address);
    }

    public void GlobalAveragePoolForward(Tensor x, Tensor y)
    {
        Same(new TensorShape(x.Shape.N, x.Shape.C), y.Shape);
        Enter();
        _kernels.GlobalAveragePoolForward(Cuda(x).Address, Cuda(y).Address, x.Shape.N * x.Shape.C, x.Shape.Plane, _compute);
    }

    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx)
    {
        Same(new TensorShape(dx.Shape.N, dx.Shape.C), dy.Shape);
        Enter();
        _kernels.GlobalAveragePoolBackward(Cuda(dy).Address, Cuda(dx).Address, dx.Shape.N * dx.Shape.C, dx.Shape.Plane, _compute);
    }

    private PoolingDescriptor Pooling(int window)
    {
        if (!_pooling.TryGetValue(window, out var descriptor))
        {
            descriptor = PoolingDescriptor.CreateMax(window, _rule.Deterministic);
            _pooling[window] = descriptor;
        }

        return descriptor;
    }
}
