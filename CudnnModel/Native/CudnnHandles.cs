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
        return HandleSetup.Configured(new CudnnHandle(handle), created => ThrowIfFailed(CudnnNative.cudnnSetStream(created.Value, stream.Value)));
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
        return HandleSetup.Configured(new TensorDescriptor(descriptor),
            created => ThrowIfFailed(CudnnNative.cudnnSetTensor4dDescriptor(created.Value, CudnnTensorFormat.Nchw, CudnnDataType.Float, n, c, h, w)));
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
        return HandleSetup.Configured(new FilterDescriptor(descriptor),
            created => ThrowIfFailed(CudnnNative.cudnnSetFilter4dDescriptor(created.Value, CudnnDataType.Float, CudnnTensorFormat.Nchw, k, c, h, w)));
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
        return HandleSetup.Configured(new ConvolutionDescriptor(descriptor), created =>
        {
            ThrowIfFailed(CudnnNative.cudnnSetConvolution2dDescriptor(created.Value, padding, padding, 1, 1, 1, 1,
                CudnnConvolutionMode.CrossCorrelation, CudnnDataType.Float));
            created.SetMathType(mathType);
        });
    }

    public void SetMathType(CudnnMathType mathType) => ThrowIfFailed(CudnnNative.cudnnSetConvolutionMathType(Value, mathType));

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyConvolutionDescriptor(value);
}

/// <summary>Max pooling with a square window equal to its stride and no padding (sizes floor, as Keras does).</summary>
internal sealed unsafe class PoolingDescriptor(nint value) : CudnnObject(value)
{
    public static PoolingDescriptor CreateMax(int window, bool deterministic)
    {
        var mode = deterministic ? CudnnPoolingMode.MaxDeterministic : CudnnPoolingMode.Max;
        nint descriptor;
        ThrowIfFailed(CudnnNative.cudnnCreatePoolingDescriptor(&descriptor));
        return HandleSetup.Configured(new PoolingDescriptor(descriptor), created => ThrowIfFailed(CudnnNative.cudnnSetPooling2dDescriptor(
            created.Value, mode, CudnnNanPropagation.NotPropagate, window, window, 0, 0, window, window)));
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
        return HandleSetup.Configured(new ActivationDescriptor(descriptor),
            created => ThrowIfFailed(CudnnNative.cudnnSetActivationDescriptor(created.Value, CudnnActivationMode.Relu, CudnnNanPropagation.NotPropagate, 0.0)));
    }

    protected override CudnnStatus Destroy(nint value) => CudnnNative.cudnnDestroyActivationDescriptor(value);
}
