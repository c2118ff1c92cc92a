using CatsDogs.Model.Native;
using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

// Batch normalisation through cuDNN, spatial mode.
internal sealed partial class CudaBackend
{
    public void BatchNormForwardTraining(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        Tensor savedMean, Tensor savedInverseStd, float momentum, float epsilon)
    {
        Same(x.Shape, y.Shape);
        var parameters = ChannelVectors(x.Shape.C, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        Enter();
        _cudnn.BatchNormalizationForwardTraining(CudnnBatchNormMode.Spatial, alpha: 1f, beta: 0f,
            _descriptors.For(x.Shape), Cuda(x).Address, _descriptors.For(y.Shape), Cuda(y).Address, parameters, Cuda(gamma).Address, Cuda(beta).Address,
            momentum, Cuda(runningMean).Address, Cuda(runningVariance).Address, epsilon, Cuda(savedMean).Address, Cuda(savedInverseStd).Address);
        _batchNormEpsilon[Cuda(savedInverseStd).Address] = epsilon;
    }

    public void BatchNormForwardInference(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon)
    {
        Same(x.Shape, y.Shape);
        var parameters = ChannelVectors(x.Shape.C, gamma, beta, runningMean, runningVariance);
        Enter();
        _cudnn.BatchNormalizationForwardInference(CudnnBatchNormMode.Spatial, alpha: 1f, beta: 0f,
            _descriptors.For(x.Shape), Cuda(x).Address, _descriptors.For(y.Shape), Cuda(y).Address, parameters, Cuda(gamma).Address, Cuda(beta).Address,
            Cuda(runningMean).Address, Cuda(runningVariance).Address, epsilon);
    }

    /// <summary>cuDNN wants the forward pass's epsilon again; it was recorded against the saved statistics.</summary>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor dx, Tensor dgamma, Tensor dbeta)
    {
        Same(x.Shape, dy.Shape);
        Same(x.Shape, dx.Shape);
        var parameters = ChannelVectors(x.Shape.C, gamma, savedMean, savedInverseStd, dgamma, dbeta);
        if (!_batchNormEpsilon.TryGetValue(Cuda(savedInverseStd).Address, out var epsilon))
        {
            throw new InvalidOperationException("BatchNormBackward needs the statistics that BatchNormForwardTraining saved.");
        }

        Enter();
        var descriptor = _descriptors.For(x.Shape);
        _cudnn.BatchNormalizationBackward(CudnnBatchNormMode.Spatial, alphaDataDiff: 1f, betaDataDiff: 0f, alphaParameterDiff: 1f, betaParameterDiff: 0f,
            descriptor, Cuda(x).Address, descriptor, Cuda(dy).Address, descriptor, Cuda(dx).Address, parameters, Cuda(gamma).Address,
            Cuda(dgamma).Address, Cuda(dbeta).Address, epsilon, Cuda(savedMean).Address, Cuda(savedInverseStd).Address);
    }

    private TensorDescriptor ChannelVectors(int channels, params ReadOnlySpan<Tensor> vectors)
    {
        foreach (var vector in vectors)
        {
            Same(new TensorShape(channels, 1), vector.Shape);
        }

        return _descriptors.ForChannels(channels);
    }
}
