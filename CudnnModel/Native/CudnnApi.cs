using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="CudnnNative"/>: scaling factors (alpha,
/// beta) by value, whose address the wrapper passes; out parameters for what cuDNN writes;
/// spans for the algorithm results. Every call still returns the status; checking it is
/// <see cref="GpuStatus"/>'s job in the layer above. In order: the library, the handle and the
/// descriptors; the tensor ops; the convolutions; the helpers that pass an out parameter's address.
/// </summary>
internal static unsafe class CudnnApi
{
    /// <summary>cuDNN's version, e.g. 90600 for 9.6.0.</summary>
    public static long GetVersion() => (long)CudnnNative.cudnnGetVersion();

    /// <summary>cuDNN's text for a status; null where it gave none.</summary>
    public static string? GetErrorString(CudnnStatus status) => Marshal.PtrToStringUTF8(CudnnNative.cudnnGetErrorString(status));

    /// <summary>What cuDNN adds about the last failure on this thread; empty where it says nothing, or lacks the call (releases before 9.0).</summary>
    public static string GetLastErrorString()
    {
        const int Capacity = 1024;
        var message = stackalloc byte[Capacity];
        message[0] = 0;
        try
        {
            CudnnNative.cudnnGetLastErrorString(message, Capacity);
        }
        catch (EntryPointNotFoundException)
        {
            // The status string still explains the failure.
        }

        return Marshal.PtrToStringUTF8((nint)message) ?? "";
    }

    public static CudnnStatus Create(out nint handle) => CreateObject(&CudnnNative.cudnnCreate, out handle);

    public static CudnnStatus Destroy(nint handle) => CudnnNative.cudnnDestroy(handle);

    public static CudnnStatus SetStream(nint handle, nint stream) => CudnnNative.cudnnSetStream(handle, stream);

    public static CudnnStatus CreateTensorDescriptor(out nint descriptor) => CreateObject(&CudnnNative.cudnnCreateTensorDescriptor, out descriptor);

    public static CudnnStatus SetTensor4dDescriptor(nint descriptor, CudnnTensorFormat format, CudnnDataType dataType, int n, int c, int h, int w) =>
        CudnnNative.cudnnSetTensor4dDescriptor(descriptor, format, dataType, n, c, h, w);

    public static CudnnStatus DestroyTensorDescriptor(nint descriptor) => CudnnNative.cudnnDestroyTensorDescriptor(descriptor);

    public static CudnnStatus CreateFilterDescriptor(out nint descriptor) => CreateObject(&CudnnNative.cudnnCreateFilterDescriptor, out descriptor);

    /// <summary>Mind the order: (dataType, format), where the tensor descriptor takes (format, dataType).</summary>
    public static CudnnStatus SetFilter4dDescriptor(nint descriptor, CudnnDataType dataType, CudnnTensorFormat format, int k, int c, int h, int w) =>
        CudnnNative.cudnnSetFilter4dDescriptor(descriptor, dataType, format, k, c, h, w);

    public static CudnnStatus DestroyFilterDescriptor(nint descriptor) => CudnnNative.cudnnDestroyFilterDescriptor(descriptor);

    public static CudnnStatus CreateConvolutionDescriptor(out nint descriptor) => CreateObject(&CudnnNative.cudnnCreateConvolutionDescriptor, out descriptor);

    public static CudnnStatus SetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, CudnnConvolutionMode mode, CudnnDataType computeType) =>
        CudnnNative.cudnnSetConvolution2dDescriptor(descriptor, padH, padW, strideH, strideW, dilationH, dilationW, mode, computeType);

    public static CudnnStatus SetConvolutionMathType(nint descriptor, CudnnMathType mathType) => CudnnNative.cudnnSetConvolutionMathType(descriptor, mathType);

    public static CudnnStatus DestroyConvolutionDescriptor(nint descriptor) => CudnnNative.cudnnDestroyConvolutionDescriptor(descriptor);

    public static CudnnStatus CreatePoolingDescriptor(out nint descriptor) => CreateObject(&CudnnNative.cudnnCreatePoolingDescriptor, out descriptor);

    public static CudnnStatus SetPooling2dDescriptor(nint descriptor, CudnnPoolingMode mode, CudnnNanPropagation nanPropagation,
        int windowHeight, int windowWidth, int verticalPadding, int horizontalPadding, int verticalStride, int horizontalStride) =>
        CudnnNative.cudnnSetPooling2dDescriptor(descriptor, mode, nanPropagation, windowHeight, windowWidth, verticalPadding, horizontalPadding,
            verticalStride, horizontalStride);

    public static CudnnStatus DestroyPoolingDescriptor(nint descriptor) => CudnnNative.cudnnDestroyPoolingDescriptor(descriptor);

    public static CudnnStatus CreateActivationDescriptor(out nint descriptor) => CreateObject(&CudnnNative.cudnnCreateActivationDescriptor, out descriptor);

    public static CudnnStatus SetActivationDescriptor(nint descriptor, CudnnActivationMode mode, CudnnNanPropagation nanPropagation, double coefficient) =>
        CudnnNative.cudnnSetActivationDescriptor(descriptor, mode, nanPropagation, coefficient);

    public static CudnnStatus DestroyActivationDescriptor(nint descriptor) => CudnnNative.cudnnDestroyActivationDescriptor(descriptor);

    // Tensor ops besides convolution. cuDNN reads alpha and beta during the call only, so the
    // wrappers may pass the addresses of their own parameters.

    /// <summary>C = alpha * A + beta * C, broadcasting A (e.g. a 1xCx1x1 bias) over C.</summary>
    public static CudnnStatus AddTensor(nint handle, float alpha, nint aDescriptor, ulong a, float beta, nint cDescriptor, ulong c) =>
        CudnnNative.cudnnAddTensor(handle, &alpha, aDescriptor, a, &beta, cDescriptor, c);

    public static CudnnStatus ActivationForward(nint handle, nint activation, float alpha, nint xDescriptor, ulong x,
        float beta, nint yDescriptor, ulong y) =>
        CudnnNative.cudnnActivationForward(handle, activation, &alpha, xDescriptor, x, &beta, yDescriptor, y);

    public static CudnnStatus ActivationBackward(nint handle, nint activation, float alpha, nint yDescriptor, ulong y,
        nint dyDescriptor, ulong dy, nint xDescriptor, ulong x, float beta, nint dxDescriptor, ulong dx) =>
        CudnnNative.cudnnActivationBackward(handle, activation, &alpha, yDescriptor, y, dyDescriptor, dy, xDescriptor, x, &beta, dxDescriptor, dx);

    public static CudnnStatus PoolingForward(nint handle, nint pooling, float alpha, nint xDescriptor, ulong x,
        float beta, nint yDescriptor, ulong y) =>
        CudnnNative.cudnnPoolingForward(handle, pooling, &alpha, xDescriptor, x, &beta, yDescriptor, y);

    public static CudnnStatus PoolingBackward(nint handle, nint pooling, float alpha, nint yDescriptor, ulong y,
        nint dyDescriptor, ulong dy, nint xDescriptor, ulong x, float beta, nint dxDescriptor, ulong dx) =>
        CudnnNative.cudnnPoolingBackward(handle, pooling, &alpha, yDescriptor, y, dyDescriptor, dy, xDescriptor, x, &beta, dxDescriptor, dx);

    public static CudnnStatus BatchNormalizationForwardTraining(nint handle, CudnnBatchNormMode mode, float alpha, float beta,
        nint xDescriptor, ulong x, nint yDescriptor, ulong y, nint parameterDescriptor, ulong scale, ulong bias,
        double exponentialAverageFactor, ulong runningMean, ulong runningVariance, double epsilon, ulong savedMean, ulong savedInverseVariance) =>
        CudnnNative.cudnnBatchNormalizationForwardTraining(handle, mode, &alpha, &beta, xDescriptor, x, yDescriptor, y, parameterDescriptor, scale, bias,
            exponentialAverageFactor, runningMean, runningVariance, epsilon, savedMean, savedInverseVariance);

    public static CudnnStatus BatchNormalizationForwardInference(nint handle, CudnnBatchNormMode mode, float alpha, float beta,
        nint xDescriptor, ulong x, nint yDescriptor, ulong y, nint parameterDescriptor, ulong scale, ulong bias,
        ulong estimatedMean, ulong estimatedVariance, double epsilon) =>
        CudnnNative.cudnnBatchNormalizationForwardInference(handle, mode, &alpha, &beta, xDescriptor, x, yDescriptor, y, parameterDescriptor, scale, bias,
            estimatedMean, estimatedVariance, epsilon);

    public static CudnnStatus BatchNormalizationBackward(nint handle, CudnnBatchNormMode mode, float alphaDataDiff, float betaDataDiff,
        float alphaParameterDiff, float betaParameterDiff, nint xDescriptor, ulong x, nint dyDescriptor, ulong dy, nint dxDescriptor, ulong dx,
        nint parameterDescriptor, ulong scale, ulong scaleGradient, ulong biasGradient, double epsilon, ulong savedMean, ulong savedInverseVariance) =>
        CudnnNative.cudnnBatchNormalizationBackward(handle, mode, &alphaDataDiff, &betaDataDiff, &alphaParameterDiff, &betaParameterDiff,
            xDescriptor, x, dyDescriptor, dy, dxDescriptor, dx, parameterDescriptor, scale, scaleGradient, biasGradient, epsilon, savedMean, savedInverseVariance);

    // Convolutions: for each pass (forward, backward data, backward filter) how many algorithms
    // cuDNN has, their ranking (Find, which runs each, or the _v7 heuristics, which run none), a
    // workspace size and the pass itself; then the fused forward pass and the bias gradient. Each
    // ranking fills as many results as the span holds and says how many it wrote.

    public static CudnnStatus GetConvolutionForwardAlgorithmMaxCount(nint handle, out int count) =>
        MaxCount(&CudnnNative.cudnnGetConvolutionForwardAlgorithmMaxCount, handle, out count);

    public static CudnnStatus FindConvolutionForwardAlgorithm(nint handle, nint xDescriptor, nint wDescriptor, nint convolution, nint yDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnFindConvolutionForwardAlgorithm, handle, xDescriptor, wDescriptor, convolution, yDescriptor, results, out returned);

    /// <summary>cudnnGetConvolutionForwardAlgorithm_v7.</summary>
    public static CudnnStatus GetConvolutionForwardAlgorithm(nint handle, nint xDescriptor, nint wDescriptor, nint convolution, nint yDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnGetConvolutionForwardAlgorithm_v7, handle, xDescriptor, wDescriptor, convolution, yDescriptor, results, out returned);

    public static CudnnStatus GetConvolutionForwardWorkspaceSize(nint handle, nint xDescriptor, nint wDescriptor, nint convolution, nint yDescriptor,
        int algorithm, out nuint bytes) =>
        WorkspaceSize(&CudnnNative.cudnnGetConvolutionForwardWorkspaceSize, handle, xDescriptor, wDescriptor, convolution, yDescriptor, algorithm, out bytes);

    public static CudnnStatus ConvolutionForward(nint handle, float alpha, nint xDescriptor, ulong x, nint wDescriptor, ulong w,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float beta, nint yDescriptor, ulong y) =>
        CudnnNative.cudnnConvolutionForward(handle, &alpha, xDescriptor, x, wDescriptor, w, convolution, algorithm, workspace, workspaceBytes,
            &beta, yDescriptor, y);

    /// <summary>y = activation(alpha1 * conv(x, w) + alpha2 * z + bias); with alpha2 = 0, z may alias y.</summary>
    public static CudnnStatus ConvolutionBiasActivationForward(nint handle, float alpha1, nint xDescriptor, ulong x,
        nint wDescriptor, ulong w, nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float alpha2,
        nint zDescriptor, ulong z, nint biasDescriptor, ulong bias, nint activation, nint yDescriptor, ulong y) =>
        CudnnNative.cudnnConvolutionBiasActivationForward(handle, &alpha1, xDescriptor, x, wDescriptor, w, convolution, algorithm, workspace,
            workspaceBytes, &alpha2, zDescriptor, z, biasDescriptor, bias, activation, yDescriptor, y);

    public static CudnnStatus GetConvolutionBackwardDataAlgorithmMaxCount(nint handle, out int count) =>
        MaxCount(&CudnnNative.cudnnGetConvolutionBackwardDataAlgorithmMaxCount, handle, out count);

    public static CudnnStatus FindConvolutionBackwardDataAlgorithm(nint handle, nint wDescriptor, nint dyDescriptor, nint convolution, nint dxDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnFindConvolutionBackwardDataAlgorithm, handle, wDescriptor, dyDescriptor, convolution, dxDescriptor, results, out returned);

    /// <summary>cudnnGetConvolutionBackwardDataAlgorithm_v7.</summary>
    public static CudnnStatus GetConvolutionBackwardDataAlgorithm(nint handle, nint wDescriptor, nint dyDescriptor, nint convolution, nint dxDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnGetConvolutionBackwardDataAlgorithm_v7, handle, wDescriptor, dyDescriptor, convolution, dxDescriptor, results, out returned);

    public static CudnnStatus GetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDescriptor, nint dyDescriptor, nint convolution, nint dxDescriptor,
        int algorithm, out nuint bytes) =>
        WorkspaceSize(&CudnnNative.cudnnGetConvolutionBackwardDataWorkspaceSize, handle, wDescriptor, dyDescriptor, convolution, dxDescriptor, algorithm, out bytes);

    public static CudnnStatus ConvolutionBackwardData(nint handle, float alpha, nint wDescriptor, ulong w, nint dyDescriptor, ulong dy,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float beta, nint dxDescriptor, ulong dx) =>
        CudnnNative.cudnnConvolutionBackwardData(handle, &alpha, wDescriptor, w, dyDescriptor, dy, convolution, algorithm, workspace, workspaceBytes,
            &beta, dxDescriptor, dx);

    public static CudnnStatus GetConvolutionBackwardFilterAlgorithmMaxCount(nint handle, out int count) =>
        MaxCount(&CudnnNative.cudnnGetConvolutionBackwardFilterAlgorithmMaxCount, handle, out count);

    public static CudnnStatus FindConvolutionBackwardFilterAlgorithm(nint handle, nint xDescriptor, nint dyDescriptor, nint convolution, nint dwDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnFindConvolutionBackwardFilterAlgorithm, handle, xDescriptor, dyDescriptor, convolution, dwDescriptor, results, out returned);

    /// <summary>cudnnGetConvolutionBackwardFilterAlgorithm_v7.</summary>
    public static CudnnStatus GetConvolutionBackwardFilterAlgorithm(nint handle, nint xDescriptor, nint dyDescriptor, nint convolution, nint dwDescriptor,
        Span<CudnnAlgorithmPerformance> results, out int returned) =>
        Rank(&CudnnNative.cudnnGetConvolutionBackwardFilterAlgorithm_v7, handle, xDescriptor, dyDescriptor, convolution, dwDescriptor, results, out returned);

    public static CudnnStatus GetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDescriptor, nint dyDescriptor, nint convolution, nint dwDescriptor,
        int algorithm, out nuint bytes) =>
        WorkspaceSize(&CudnnNative.cudnnGetConvolutionBackwardFilterWorkspaceSize, handle, xDescriptor, dyDescriptor, convolution, dwDescriptor, algorithm, out bytes);

    public static CudnnStatus ConvolutionBackwardFilter(nint handle, float alpha, nint xDescriptor, ulong x, nint dyDescriptor, ulong dy,
        nint convolution, int algorithm, ulong workspace, nuint workspaceBytes, float beta, nint dwDescriptor, ulong dw) =>
        CudnnNative.cudnnConvolutionBackwardFilter(handle, &alpha, xDescriptor, x, dyDescriptor, dy, convolution, algorithm, workspace, workspaceBytes,
            &beta, dwDescriptor, dw);

    /// <summary>db (1xCx1x1) = alpha * sum of dy over N, H, W + beta * db.</summary>
    public static CudnnStatus ConvolutionBackwardBias(nint handle, float alpha, nint dyDescriptor, ulong dy, float beta, nint dbDescriptor, ulong db) =>
        CudnnNative.cudnnConvolutionBackwardBias(handle, &alpha, dyDescriptor, dy, &beta, dbDescriptor, db);

    /// <summary>One of cuDNN's create calls, which write the new object's handle.</summary>
    private static CudnnStatus CreateObject(delegate*<nint*, CudnnStatus> create, out nint created)
    {
        fixed (nint* written = &created)
        {
            return create(written);
        }
    }

    private static CudnnStatus MaxCount(delegate*<nint, int*, CudnnStatus> query, nint handle, out int count)
    {
        fixed (int* written = &count)
        {
            return query(handle, written);
        }
    }

    /// <summary>Every pass's Find and _v7 take the same arguments; only which descriptor stands where differs (the caller's order is cuDNN's).</summary>
    private static CudnnStatus Rank(delegate*<nint, nint, nint, nint, nint, int, int*, CudnnAlgorithmPerformance*, CudnnStatus> rank,
        nint handle, nint first, nint second, nint convolution, nint third, Span<CudnnAlgorithmPerformance> results, out int returned)
    {
        fixed (CudnnAlgorithmPerformance* found = results)
        fixed (int* written = &returned)
        {
            return rank(handle, first, second, convolution, third, results.Length, written, found);
        }
    }

    private static CudnnStatus WorkspaceSize(delegate*<nint, nint, nint, nint, nint, int, nuint*, CudnnStatus> query,
        nint handle, nint first, nint second, nint convolution, nint third, int algorithm, out nuint bytes)
    {
        fixed (nuint* written = &bytes)
        {
            return query(handle, first, second, convolution, third, algorithm, written);
        }
    }
}
