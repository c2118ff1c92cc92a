using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 1: the cuDNN 9 legacy (descriptor) API used by the backend, as declared in
/// <c>cudnn_graph.h</c>, <c>cudnn_ops.h</c> and <c>cudnn_cnn.h</c> (9.6). Every call goes through
/// the shim <c>libcudnn.so.9</c>, which loads its sub-libraries lazily by soname; the loader
/// preloads them by absolute path so that those lookups succeed. Scaling factors (alpha, beta)
/// are host pointers to float; tensors are device addresses. Mind the argument order:
/// <see cref="cudnnSetTensor4dDescriptor"/> takes (format, dataType) but
/// <see cref="cudnnSetFilter4dDescriptor"/> takes (dataType, format). Nothing here checks a
/// status; <see cref="CudnnApi"/> (layer 2) is the only caller.
/// </summary>
internal static unsafe partial class CudnnNative
{
    internal const string LibraryName = "libcudnn.so.9";

    [LibraryImport(LibraryName)]
    internal static partial nuint cudnnGetVersion();

    /// <summary>The CUDA runtime version this cuDNN was built against, e.g. 12080 or 13000.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nuint cudnnGetCudartVersion();

    /// <summary>Returns a pointer to static storage: never free it.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint cudnnGetErrorString(CudnnStatus status);

    [LibraryImport(LibraryName)]
    internal static partial void cudnnGetLastErrorString(byte* message, nuint maxSize);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreate(nint* handle);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroy(nint handle);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetStream(nint handle, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreateTensorDescriptor(nint* descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetTensor4dDescriptor(nint descriptor, CudnnTensorFormat format, CudnnDataType dataType, int n, int c, int h, int w);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroyTensorDescriptor(nint descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreateFilterDescriptor(nint* descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetFilter4dDescriptor(nint descriptor, CudnnDataType dataType, CudnnTensorFormat format, int k, int c, int h, int w);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroyFilterDescriptor(nint descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreateConvolutionDescriptor(nint* descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, CudnnConvolutionMode mode, CudnnDataType computeType);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetConvolutionMathType(nint descriptor, CudnnMathType mathType);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroyConvolutionDescriptor(nint descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreatePoolingDescriptor(nint* descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetPooling2dDescriptor(nint descriptor, CudnnPoolingMode mode, CudnnNanPropagation nanPropagation,
        int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroyPoolingDescriptor(nint descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnCreateActivationDescriptor(nint* descriptor);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnSetActivationDescriptor(nint descriptor, CudnnActivationMode mode, CudnnNanPropagation nanPropagation, double coefficient);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnDestroyActivationDescriptor(nint descriptor);

    /// <summary>C = alpha * A + beta * C, broadcasting A (e.g. a 1xCx1x1 bias) over C.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnAddTensor(nint handle, float* alpha, nint aDescriptor, ulong a, float* beta, nint cDescriptor, ulong c);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnActivationForward(nint handle, nint activation, float* alpha, nint xDescriptor, ulong x,
        float* beta, nint yDescriptor, ulong y);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnActivationBackward(nint handle, nint activation, float* alpha, nint yDescriptor, ulong y,
        nint dyDescriptor, ulong dy, nint xDescriptor, ulong x, float* beta, nint dxDescriptor, ulong dx);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnPoolingForward(nint handle, nint pooling, float* alpha, nint xDescriptor, ulong x,
        float* beta, nint yDescriptor, ulong y);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnPoolingBackward(nint handle, nint pooling, float* alpha, nint yDescriptor, ulong y,
        nint dyDescriptor, ulong dy, nint xDescriptor, ulong x, float* beta, nint dxDescriptor, ulong dx);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionForwardAlgorithmMaxCount(nint handle, int* count);

    /// <summary>Results in Find's form, ranked by cuDNN's heuristics without running anything: the same on every run.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionForwardAlgorithm_v7(nint handle, nint xDescriptor, nint wDescriptor, nint convolution,
        nint yDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnFindConvolutionForwardAlgorithm(nint handle, nint xDescriptor, nint wDescriptor, nint convolution,
        nint yDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDescriptor, nint wDescriptor, nint convolution,
        nint yDescriptor, int algorithm, nuint* bytes);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnConvolutionForward(nint handle, float* alpha, nint xDescriptor, ulong x, nint wDescriptor, ulong w,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint yDescriptor, ulong y);

    /// <summary>y = activation(alpha1 * conv(x, w) + alpha2 * z + bias); with alpha2 = 0, z may alias y.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnConvolutionBiasActivationForward(nint handle, float* alpha1, nint xDescriptor, ulong x,
        nint wDescriptor, ulong w, nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float* alpha2,
        nint zDescriptor, ulong z, nint biasDescriptor, ulong bias, nint activation, nint yDescriptor, ulong y);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardDataAlgorithmMaxCount(nint handle, int* count);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardDataAlgorithm_v7(nint handle, nint wDescriptor, nint dyDescriptor, nint convolution,
        nint dxDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnFindConvolutionBackwardDataAlgorithm(nint handle, nint wDescriptor, nint dyDescriptor, nint convolution,
        nint dxDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDescriptor, nint dyDescriptor,
        nint convolution, nint dxDescriptor, int algorithm, nuint* bytes);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDescriptor, ulong w, nint dyDescriptor, ulong dy,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint dxDescriptor, ulong dx);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(nint handle, int* count);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardFilterAlgorithm_v7(nint handle, nint xDescriptor, nint dyDescriptor, nint convolution,
        nint dwDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnFindConvolutionBackwardFilterAlgorithm(nint handle, nint xDescriptor, nint dyDescriptor, nint convolution,
        nint dwDescriptor, int requestedCount, int* returnedCount, CudnnAlgorithmPerformance* results);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDescriptor, nint dyDescriptor,
        nint convolution, nint dwDescriptor, int algorithm, nuint* bytes);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDescriptor, ulong x, nint dyDescriptor, ulong dy,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint dwDescriptor, ulong dw);

    /// <summary>db (1xCx1x1) = alpha * sum of dy over N, H, W + beta * db.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnConvolutionBackwardBias(nint handle, float* alpha, nint dyDescriptor, ulong dy,
        float* beta, nint dbDescriptor, ulong db);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnBatchNormalizationForwardTraining(nint handle, CudnnBatchNormMode mode, float* alpha, float* beta,
        nint xDescriptor, ulong x, nint yDescriptor, ulong y, nint parameterDescriptor, ulong scale, ulong bias,
        double exponentialAverageFactor, ulong runningMean, ulong runningVariance, double epsilon, ulong savedMean, ulong savedInverseVariance);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnBatchNormalizationForwardInference(nint handle, CudnnBatchNormMode mode, float* alpha, float* beta,
        nint xDescriptor, ulong x, nint yDescriptor, ulong y, nint parameterDescriptor, ulong scale, ulong bias,
        ulong estimatedMean, ulong estimatedVariance, double epsilon);

    [LibraryImport(LibraryName)]
    internal static partial CudnnStatus cudnnBatchNormalizationBackward(nint handle, CudnnBatchNormMode mode, float* alphaDataDiff, float* betaDataDiff,
        float* alphaParameterDiff, float* betaParameterDiff, nint xDescriptor, ulong x, nint dyDescriptor, ulong dy, nint dxDescriptor, ulong dx,
        nint parameterDescriptor, ulong scale, ulong scaleGradient, ulong biasGradient, double epsilon, ulong savedMean, ulong savedInverseVariance);
}
