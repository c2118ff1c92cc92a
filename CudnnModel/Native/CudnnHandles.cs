using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>Base of cuDNN's opaque handles: one destroy call each, no context needed to release.</summary>
internal abstract class CudnnObject : SafeHandle
{
    protected CudnnObject(nint value)
        : base(0, ownsHandle: true) => SetHandle(value);

    public override bool IsInvalid => handle == 0;

    public nint Value => handle;

    protected sealed override bool ReleaseHandle() => Destroy(handle) == CudnnStatus.Success;

    protected abstract CudnnStatus Destroy(nint value);
}

/// <summary>A cuDNN handle bound to one stream; create it while its context is current and use it only there.</summary>
internal sealed unsafe class CudnnHandle(nint value) : CudnnObject(value)
{
    public static CudnnHandle Create(CudaStream stream)
    {
        nint handle;
        ThrowIfFailed(CudnnNative.cudnnCreate(&handle));
        var created = new CudnnHandle(handle);
        ThrowIfFailed(CudnnNative.cudnnSetStream(handle, stream.Value));
        return created;
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroy(value);
}

/// <summary>A float32 NCHW tensor descriptor.</summary>
internal sealed unsafe class TensorDescriptor(nint value) : CudnnObject(value)
{
    public static TensorDescriptor Create(int n, int c, int h, int w)
    {
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreateTensorDescriptor(&descriptor));
        var created = new TensorDescriptor(descriptor);
        ThrowIfFailed(CudnnNative.cudnnSetTensor4dDescriptor(descriptor, CudnnTensorFormat.Nchw, CudnnDataType.Float, n, c, h, w));
        return created;
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyTensorDescriptor(value);
}

/// <summary>A float32 [K, C, kh, kw] filter descriptor.</summary>
internal sealed unsafe class FilterDescriptor(nint value) : CudnnObject(value)
{
    public static FilterDescriptor Create(int k, int c, int h, int w)
    {
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreateFilterDescriptor(&descriptor));
        var created = new FilterDescriptor(descriptor);
        ThrowIfFailed(CudnnNative.cudnnSetFilter4dDescriptor(descriptor, CudnnDataType.Float, CudnnTensorFormat.Nchw, k, c, h, w));
        return created;
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyFilterDescriptor(value);
}

/// <summary>A stride-1, undilated 2-D cross-correlation with float32 accumulation and a chosen math type.</summary>
internal sealed unsafe class ConvolutionDescriptor(nint value) : CudnnObject(value)
{
    public static ConvolutionDescriptor Create(int padding, CudnnMathType mathType)
    {
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreateConvolutionDescriptor(&descriptor));
        var created = new ConvolutionDescriptor(descriptor);
        ThrowIfFailed(CudnnNative.cudnnSetConvolution2dDescriptor(descriptor, padding, padding, 1, 1, 1, 1,
            CudnnConvolutionMode.CrossCorrelation, CudnnDataType.Float));
        created.SetMathType(mathType);
        return created;
    }

    public void SetMathType(CudnnMathType mathType) => ThrowIfFailed(CudnnNative.cudnnSetConvolutionMathType(Value, mathType));

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyConvolutionDescriptor(value);
}

/// <summary>Max pooling with a square window equal to its stride and no padding (sizes floor, as Keras does).</summary>
internal sealed unsafe class PoolingDescriptor(nint value) : CudnnObject(value)
{
    public static PoolingDescriptor CreateMax(int window)
    {
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreatePoolingDescriptor(&descriptor));
        var created = new PoolingDescriptor(descriptor);
        ThrowIfFailed(CudnnNative.cudnnSetPooling2dDescriptor(descriptor, CudnnPoolingMode.Max, CudnnNanPropagation.NotPropagate,
            window, window, 0, 0, window, window));
        return created;
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyPoolingDescriptor(value);
}

/// <summary>A ReLU activation descriptor.</summary>
internal sealed unsafe class ActivationDescriptor(nint value) : CudnnObject(value)
{
    public static ActivationDescriptor CreateRelu()
    {
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreateActivationDescriptor(&descriptor));
        var created = new ActivationDescriptor(descriptor);
        ThrowIfFailed(CudnnNative.cudnnSetActivationDescriptor(descriptor, CudnnActivationMode.Relu, CudnnNanPropagation.NotPropagate, 0.0));
        return created;
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyActivationDescriptor(value);
}
