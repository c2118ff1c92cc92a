using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: a cuDNN handle bound to one stream, with the ops the backend runs on it, each status
/// checked by <see cref="GpuStatus"/> under the C function's name, except the fused forward pass,
/// whose first failure the backend reads (<see cref="TryConvolutionBiasActivationForward"/>).
/// Descriptors come typed, tensors as device addresses; create the handle while its context is
/// current and use it only there; choosing a convolution's algorithms is <see cref="ConvolutionPass"/>'s.
/// </summary>
internal sealed class CudnnHandle(nint value) : CudnnObject(value)
{
    /// <summary>cuDNN's version, e.g. 90600 for 9.6.0.</summary>
    public long Version => CudnnApi.GetVersion();

    public static CudnnHandle Create(CudaStream stream)
    {
        ThrowIfFailed(CudnnApi.Create(out var handle), "cudnnCreate");
        return HandleSetup.Configured(new CudnnHandle(handle), created => ThrowIfFailed(CudnnApi.SetStream(created.Value, stream.Value), "cudnnSetStream"));
    }

    /// <summary>C = alpha * A + beta * C, broadcasting A (e.g. a 1xCx1x1 bias) over C.</summary>
    public void AddTensor(float alpha, TensorDescriptor aDescriptor, ulong a, float beta, TensorDescriptor cDescriptor, ulong c) =>
        ThrowIfFailed(CudnnApi.AddTensor(Value, alpha, aDescriptor.Value, a, beta, cDescriptor.Value, c), "cudnnAddTensor");

    public void ConvolutionForward(float alpha, TensorDescriptor xDescriptor, ulong x, FilterDescriptor wDescriptor, ulong w,
        ConvolutionDescriptor convolution, int algorithm, ulong workspace, long workspaceBytes, float beta, TensorDescriptor yDescriptor, ulong y) =>
        ThrowIfFailed(CudnnApi.ConvolutionForward(Value, alpha, xDescriptor.Value, x, wDescriptor.Value, w, convolution.Value, algorithm,
            workspace, (nuint)workspaceBytes, beta, yDescriptor.Value, y), "cudnnConvolutionForward");

    /// <summary>
    /// y = activation(alpha1 * conv(x, w) + alpha2 * z + bias); with alpha2 = 0, z may alias y. The
    /// status comes back unchecked: cuDNN may decline the fusion for a shape and algorithm, which
    /// the caller answers by running the ops one by one.
    /// </summary>
    public CudnnStatus TryConvolutionBiasActivationForward(float alpha1, TensorDescriptor xDescriptor, ulong x, FilterDescriptor wDescriptor, ulong w,
        ConvolutionDescriptor convolution, int algorithm, ulong workspace, long workspaceBytes, float alpha2, TensorDescriptor zDescriptor, ulong z,
        TensorDescriptor biasDescriptor, ulong bias, ActivationDescriptor activation, TensorDescriptor yDescriptor, ulong y) =>
        CudnnApi.ConvolutionBiasActivationForward(Value, alpha1, xDescriptor.Value, x, wDescriptor.Value, w, convolution.Value, algorithm,
            workspace, (nuint)workspaceBytes, alpha2, zDescriptor.Value, z, biasDescriptor.Value, bias, activation.Value, yDescriptor.Value, y);

    public void ConvolutionBackwardData(float alpha, FilterDescriptor wDescriptor, ulong w, TensorDescriptor dyDescriptor, ulong dy,
        ConvolutionDescriptor convolution, int algorithm, ulong workspace, long workspaceBytes, float beta, TensorDescriptor dxDescriptor, ulong dx) =>
        ThrowIfFailed(CudnnApi.ConvolutionBackwardData(Value, alpha, wDescriptor.Value, w, dyDescriptor.Value, dy, convolution.Value, algorithm,
            workspace, (nuint)workspaceBytes, beta, dxDescriptor.Value, dx), "cudnnConvolutionBackwardData");

    public void ConvolutionBackwardFilter(float alpha, TensorDescriptor xDescriptor, ulong x, TensorDescriptor dyDescriptor, ulong dy,
        ConvolutionDescriptor convolution, int algorithm, ulong workspace, long workspaceBytes, float beta, FilterDescriptor dwDescriptor, ulong dw) =>
        ThrowIfFailed(CudnnApi.ConvolutionBackwardFilter(Value, alpha, xDescriptor.Value, x, dyDescriptor.Value, dy, convolution.Value, algorithm,
            workspace, (nuint)workspaceBytes, beta, dwDescriptor.Value, dw), "cudnnConvolutionBackwardFilter");

    /// <summary>db (1xCx1x1) = alpha * sum of dy over N, H, W + beta * db.</summary>
    public void ConvolutionBackwardBias(float alpha, TensorDescriptor dyDescriptor, ulong dy, float beta, TensorDescriptor dbDescriptor, ulong db) =>
        ThrowIfFailed(CudnnApi.ConvolutionBackwardBias(Value, alpha, dyDescriptor.Value, dy, beta, dbDescriptor.Value, db), "cudnnConvolutionBackwardBias");

    public void ActivationForward(ActivationDescriptor activation, float alpha, TensorDescriptor xDescriptor, ulong x,
        float beta, TensorDescriptor yDescriptor, ulong y) =>
        ThrowIfFailed(CudnnApi.ActivationForward(Value, activation.Value, alpha, xDescriptor.Value, x, beta, yDescriptor.Value, y), "cudnnActivationForward");

    public void ActivationBackward(ActivationDescriptor activation, float alpha, TensorDescriptor yDescriptor, ulong y,
        TensorDescriptor dyDescriptor, ulong dy, TensorDescriptor xDescriptor, ulong x, float beta, TensorDescriptor dxDescriptor, ulong dx) =>
        ThrowIfFailed(CudnnApi.ActivationBackward(Value, activation.Value, alpha, yDescriptor.Value, y, dyDescriptor.Value, dy, xDescriptor.Value, x,
            beta, dxDescriptor.Value, dx), "cudnnActivationBackward");

    public void PoolingForward(PoolingDescriptor pooling, float alpha, TensorDescriptor xDescriptor, ulong x,
        float beta, TensorDescriptor yDescriptor, ulong y) =>
        ThrowIfFailed(CudnnApi.PoolingForward(Value, pooling.Value, alpha, xDescriptor.Value, x, beta, yDescriptor.Value, y), "cudnnPoolingForward");

    public void PoolingBackward(PoolingDescriptor pooling, float alpha, TensorDescriptor yDescriptor, ulong y,
        TensorDescriptor dyDescriptor, ulong dy, TensorDescriptor xDescriptor, ulong x, float beta, TensorDescriptor dxDescriptor, ulong dx) =>
        ThrowIfFailed(CudnnApi.PoolingBackward(Value, pooling.Value, alpha, yDescriptor.Value, y, dyDescriptor.Value, dy, xDescriptor.Value, x,
            beta, dxDescriptor.Value, dx), "cudnnPoolingBackward");

    public void BatchNormalizationForwardTraining(CudnnBatchNormMode mode, float alpha, float beta,
        TensorDescriptor xDescriptor, ulong x, TensorDescriptor yDescriptor, ulong y, TensorDescriptor parameterDescriptor, ulong scale, ulong bias,
        double exponentialAverageFactor, ulong runningMean, ulong runningVariance, double epsilon, ulong savedMean, ulong savedInverseVariance) =>
        ThrowIfFailed(CudnnApi.BatchNormalizationForwardTraining(Value, mode, alpha, beta, xDescriptor.Value, x, yDescriptor.Value, y,
            parameterDescriptor.Value, scale, bias, exponentialAverageFactor, runningMean, runningVariance, epsilon, savedMean, savedInverseVariance),
            "cudnnBatchNormalizationForwardTraining");

    public void BatchNormalizationForwardInference(CudnnBatchNormMode mode, float alpha, float beta,
        TensorDescriptor xDescriptor, ulong x, TensorDescriptor yDescriptor, ulong y, TensorDescriptor parameterDescriptor, ulong scale, ulong bias,
        ulong estimatedMean, ulong estimatedVariance, double epsilon) =>
        ThrowIfFailed(CudnnApi.BatchNormalizationForwardInference(Value, mode, alpha, beta, xDescriptor.Value, x, yDescriptor.Value, y,
            parameterDescriptor.Value, scale, bias, estimatedMean, estimatedVariance, epsilon), "cudnnBatchNormalizationForwardInference");

    public void BatchNormalizationBackward(CudnnBatchNormMode mode, float alphaDataDiff, float betaDataDiff, float alphaParameterDiff,
        float betaParameterDiff, TensorDescriptor xDescriptor, ulong x, TensorDescriptor dyDescriptor, ulong dy, TensorDescriptor dxDescriptor, ulong dx,
        TensorDescriptor parameterDescriptor, ulong scale, ulong scaleGradient, ulong biasGradient, double epsilon, ulong savedMean, ulong savedInverseVariance) =>
        ThrowIfFailed(CudnnApi.BatchNormalizationBackward(Value, mode, alphaDataDiff, betaDataDiff, alphaParameterDiff, betaParameterDiff,
            xDescriptor.Value, x, dyDescriptor.Value, dy, dxDescriptor.Value, dx, parameterDescriptor.Value, scale, scaleGradient, biasGradient,
            epsilon, savedMean, savedInverseVariance), "cudnnBatchNormalizationBackward");

    protected override CudnnStatus Destroy(nint value) => CudnnApi.Destroy(value);
}
