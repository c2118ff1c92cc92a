using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>A cuBLAS handle bound to one stream, with TF32 tensor-core math allowed or not.</summary>
internal sealed unsafe class CublasHandle : SafeHandle
{
    private CublasHandle(nint value)
        : base(0, ownsHandle: true) => SetHandle(value);

    public override bool IsInvalid => handle == 0;

    public nint Value => handle;

    /// <summary>cuBLAS's version, e.g. 120604 for 12.6.4.</summary>
    public int Version
    {
        get
        {
            int version;
            ThrowIfFailed(CublasNative.cublasGetVersion_v2(handle, &version));
            return version;
        }
    }

    public static CublasHandle Create(CudaStream stream, bool allowTf32)
    {
        nint value;
        ThrowIfFailed(CublasNative.cublasCreate_v2(&value));
        return HandleSetup.Configured(new CublasHandle(value), created =>
        {
            ThrowIfFailed(CublasNative.cublasSetStream_v2(created.Value, stream.Value));
            ThrowIfFailed(CublasNative.cublasSetMathMode(created.Value, allowTf32 ? CublasMath.Tf32TensorOp : CublasMath.Default));
        });
    }

    protected override bool ReleaseHandle() => CublasNative.cublasDestroy_v2(handle) == CublasStatus.Success;
}
