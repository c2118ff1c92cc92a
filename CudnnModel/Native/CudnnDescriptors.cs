using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: base of cuDNN's opaque objects, the handle (<see cref="CudnnHandle"/>) and the
/// descriptors below: one destroy call each, no context needed to release. Setup statuses are
/// checked by <see cref="GpuStatus"/>.
/// </summary>
internal abstract class CudnnObject : SafeHandle
{
    protected CudnnObject(nint value)
        : base(0, ownsHandle: true) => SetHandle(value);

    public override bool IsInvalid => handle == 0;

    public nint Value => handle;

    protected sealed override bool ReleaseHandle() => Destroy(handle) == CudnnStatus.Success;

    protected abstract CudnnStatus Destroy(nint value);
}

/// <summary>A float32 NCHW tensor descriptor.</summary>
internal sealed class TensorDescriptor(nint value) : CudnnObject(value)
{
    public static TensorDescriptor Create(int n, int c, int h, int w)
    {
        ThrowIfFailed(CudnnApi.CreateTensorDescriptor(out var descriptor), "cudnnCreateTensorDescriptor");
        return HandleSetup.Configured(new TensorDescriptor(descriptor), created => ThrowIfFailed(
            CudnnApi.SetTensor4dDescriptor(created.Value, CudnnTensorFormat.Nchw, CudnnDataType.Float, n, c, h, w), "cudnnSetTensor4dDescriptor"));
    }

    protected override CudnnStatus Destroy(nint value) => CudnnApi.DestroyTensorDescriptor(value);
}

/// <summary>A float32 [K, C, kh, kw] filter descriptor.</summary>
internal sealed class FilterDescriptor(nint value) : CudnnObject(value)
{
    public static FilterDescriptor Create(int k, int c, int h, int w)
    {
        ThrowIfFailed(CudnnApi.CreateFilterDescriptor(out var descriptor), "cudnnCreateFilterDescriptor");
        return HandleSetup.Configured(new FilterDescriptor(descriptor), created => ThrowIfFailed(
            CudnnApi.SetFilter4dDescriptor(created.Value, CudnnDataType.Float, CudnnTensorFormat.Nchw, k, c, h, w), "cudnnSetFilter4dDescriptor"));
    }

    protected override CudnnStatus Destroy(nint value) => CudnnApi.DestroyFilterDescriptor(value);
}

/// <summary>A stride-1, undilated 2-D cross-correlation with float32 accumulation and a chosen math type.</summary>
internal sealed class ConvolutionDescriptor(nint value) : CudnnObject(value)
{
    public static ConvolutionDescriptor Create(int padding, CudnnMathType mathType)
    {
        ThrowIfFailed(CudnnApi.CreateConvolutionDescriptor(out var descriptor), "cudnnCreateConvolutionDescriptor");
        return HandleSetup.Configured(new ConvolutionDescriptor(descriptor), created =>
        {
            ThrowIfFailed(CudnnApi.SetConvolution2dDescriptor(created.Value, padding, padding, 1, 1, 1, 1,
                CudnnConvolutionMode.CrossCorrelation, CudnnDataType.Float), "cudnnSetConvolution2dDescriptor");
            created.SetMathType(mathType);
        });
    }

    public void SetMathType(CudnnMathType mathType) => ThrowIfFailed(CudnnApi.SetConvolutionMathType(Value, mathType), "cudnnSetConvolutionMathType");

    protected override CudnnStatus Destroy(nint value) => CudnnApi.DestroyConvolutionDescriptor(value);
}

/// <summary>Max pooling with a square window equal to its stride and no padding (sizes floor, as Keras does).</summary>
internal sealed class PoolingDescriptor(nint value) : CudnnObject(value)
{
    public static PoolingDescriptor CreateMax(int window, bool deterministic)
    {
        var mode = deterministic ? CudnnPoolingMode.MaxDeterministic : CudnnPoolingMode.Max;
        ThrowIfFailed(CudnnApi.CreatePoolingDescriptor(out var descriptor), "cudnnCreatePoolingDescriptor");
        return HandleSetup.Configured(new PoolingDescriptor(descriptor), created => ThrowIfFailed(CudnnApi.SetPooling2dDescriptor(
            created.Value, mode, CudnnNanPropagation.NotPropagate, window, window, 0, 0, window, window), "cudnnSetPooling2dDescriptor"));
    }

    protected override CudnnStatus Destroy(nint value) => CudnnApi.DestroyPoolingDescriptor(value);
}

/// <summary>A ReLU activation descriptor.</summary>
internal sealed class ActivationDescriptor(nint value) : CudnnObject(value)
{
    public static ActivationDescriptor CreateRelu()
    {
        ThrowIfFailed(CudnnApi.CreateActivationDescriptor(out var descriptor), "cudnnCreateActivationDescriptor");
        return HandleSetup.Configured(new ActivationDescriptor(descriptor), created => ThrowIfFailed(
            CudnnApi.SetActivationDescriptor(created.Value, CudnnActivationMode.Relu, CudnnNanPropagation.NotPropagate, 0.0), "cudnnSetActivationDescriptor"));
    }

    protected override CudnnStatus Destroy(nint value) => CudnnApi.DestroyActivationDescriptor(value);
}
