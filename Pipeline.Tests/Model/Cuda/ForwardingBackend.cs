using CatsDogs.Model.Backends;
using CatsDogs.Model.Memory;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>A backend that forwards every op to a real one; test backends override the ops they change.</summary>
internal abstract class ForwardingBackend(IBackend inner) : IBackend
{
    protected IBackend Inner => inner;

    public string Name => inner.Name;

    public string Description => inner.Description;

    public Tensor Allocate(TensorShape shape) => inner.Allocate(shape);

    public Tensor View(Tensor tensor, TensorShape shape) => inner.View(tensor, shape);

    public void Upload(ReadOnlySpan<float> source, Tensor destination) => inner.Upload(source, destination);

    public void Download(Tensor source, Span<float> destination) => inner.Download(source, destination);

    public void Fill(Tensor tensor, float value) => inner.Fill(tensor, value);

    public void Copy(Tensor source, Tensor destination) => inner.Copy(source, destination);

    public virtual void LoadImages(HostImageBatch batch, Tensor images, Tensor labels) => inner.LoadImages(batch, images, labels);

    public void WaitForUploads() => inner.WaitForUploads();

    public IHostMemoryAllocator HostAllocator => inner.HostAllocator;

    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, int padding, bool relu) => inner.ConvolutionForward(x, w, bias, y, padding, relu);

    public virtual void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding) => inner.ConvolutionBackwardData(dy, w, dx, padding);

    public virtual void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding) => inner.ConvolutionBackwardFilter(x, dy, dw, padding);

    public void AddBias(Tensor y, Tensor bias) => inner.AddBias(y, bias);

    public void BiasBackward(Tensor dy, Tensor dbias) => inner.BiasBackward(dy, dbias);

    public virtual void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c) =>
        inner.Gemm(transposeA, transposeB, alpha, a, b, beta, c);

    public void ReluForward(Tensor x, Tensor y) => inner.ReluForward(x, y);

    public virtual void ReluBackward(Tensor y, Tensor dy, Tensor dx) => inner.ReluBackward(y, dy, dx);

    public virtual void Add(Tensor x, Tensor y) => inner.Add(x, y);

    public void MaxPoolForward(Tensor x, Tensor y, int window) => inner.MaxPoolForward(x, y, window);

    public virtual void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window) => inner.MaxPoolBackward(x, y, dy, dx, window);

    public virtual void GlobalAveragePoolForward(Tensor x, Tensor y) => inner.GlobalAveragePoolForward(x, y);

    public virtual void GlobalAveragePoolBackward(Tensor dy, Tensor dx) => inner.GlobalAveragePoolBackward(dy, dx);

    public virtual void DropoutForward(Tensor x, Tensor y, float rate, ulong seed) => inner.DropoutForward(x, y, rate, seed);

    public virtual void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed) => inner.DropoutBackward(dy, dx, rate, seed);

    public void BatchNormForwardTraining(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        Tensor savedMean, Tensor savedInverseStd, float momentum, float epsilon) =>
        inner.BatchNormForwardTraining(x, y, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd, momentum, epsilon);

    public void BatchNormForwardInference(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon) =>
        inner.BatchNormForwardInference(x, y, gamma, beta, runningMean, runningVariance, epsilon);

    public virtual void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInverseStd, Tensor dx, Tensor dgamma, Tensor dbeta) =>
        inner.BatchNormBackward(x, dy, gamma, savedMean, savedInverseStd, dx, dgamma, dbeta);

    public virtual void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats, float smoothing) => inner.SigmoidCrossEntropy(logits, labels, dlogits, stats, smoothing);

    public virtual void Sigmoid(Tensor x, Tensor y) => inner.Sigmoid(x, y);

    public virtual void AccumulateSquaredNorm(Tensor x, Tensor sum) => inner.AccumulateSquaredNorm(x, sum);

    public virtual void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor) => inner.ClipFactor(sumOfSquares, maxNorm, factor);

    public virtual void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step) =>
        inner.SgdUpdate(weights, gradient, velocity, gradientScale, step);

    public virtual void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step) =>
        inner.AdamWUpdate(weights, gradient, firstMoment, secondMoment, gradientScale, step);

    public virtual void Dispose() => inner.Dispose();
}
