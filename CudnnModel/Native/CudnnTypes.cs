using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

// Layer 1: the enums and structs of cuDNN's headers that CudnnNative passes, laid out as in C.

/// <summary>
/// <c>cudnnStatus_t</c> in cuDNN 9's category scheme (code / 1000 is the category); the numbers
/// differ from cuDNN 7 and 8. Values not named here still round-trip.
/// </summary>
internal enum CudnnStatus
{
    Success = 0,
    NotInitialized = 1001,
    SublibraryVersionMismatch = 1002,
    SublibraryLoadingFailed = 1008,
    BadParam = 2000,
    NotSupported = 3000,
    InternalError = 4000,
    InternalErrorDeviceAllocationFailed = 4004,
    ExecutionFailed = 5000,
}

internal static class CudnnStatusCategory
{
    /// <summary>
    /// True for every "not supported" status: cuDNN 9 refines 3000 into sub-codes (3001 graph
    /// pattern, 3002 shape, ...), and its header says to test the category, code / 1000 * 1000.
    /// </summary>
    public static bool IsNotSupported(this CudnnStatus status) => (int)status / 1000 * 1000 == (int)CudnnStatus.NotSupported;
}

/// <summary><c>cudnnDataType_t</c>.</summary>
internal enum CudnnDataType
{
    Float = 0,
}

/// <summary><c>cudnnTensorFormat_t</c>.</summary>
internal enum CudnnTensorFormat
{
    Nchw = 0,
}

/// <summary><c>cudnnMathType_t</c>: FMA forbids tensor cores (strict float32); the others allow TF32 on Ampere and newer.</summary>
internal enum CudnnMathType
{
    Default = 0,
    TensorOp = 1,
    TensorOpAllowConversion = 2,
    Fma = 3,
}

/// <summary><c>cudnnNanPropagation_t</c>.</summary>
internal enum CudnnNanPropagation
{
    NotPropagate = 0,
}

/// <summary><c>cudnnActivationMode_t</c>.</summary>
internal enum CudnnActivationMode
{
    Relu = 1,
}

/// <summary><c>cudnnConvolutionMode_t</c>: deep learning's "convolution" is cross-correlation.</summary>
internal enum CudnnConvolutionMode
{
    CrossCorrelation = 1,
}

/// <summary><c>cudnnPoolingMode_t</c>.</summary>
internal enum CudnnPoolingMode
{
    Max = 0,

    /// <summary>The same window maximum, with a backward pass cuDNN guarantees reproducible (plain max is not).</summary>
    MaxDeterministic = 3,
}

/// <summary><c>cudnnBatchNormMode_t</c>: spatial is one mean and variance per channel.</summary>
internal enum CudnnBatchNormMode
{
    Spatial = 1,
}

/// <summary>
/// <c>cudnnConvolutionFwdAlgoPerf_t</c> and its BwdData/BwdFilter twins: one layout, 48 bytes
/// (algo@0, status@4, time@8, memory@16, determinism@24, mathType@28, reserved[3]@32).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CudnnAlgorithmPerformance
{
    public int Algorithm;
    public CudnnStatus Status;
    public float Milliseconds;
    public nuint WorkspaceBytes;
    public int Determinism;
    public CudnnMathType MathType;
    public fixed int Reserved[3];
}
