using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Backends;

/// <summary>
/// The seam between the network and the hardware: it owns tensor memory and runs every op the
/// network needs. All tensors are float32 NCHW and opaque; ops are issued in program order and
/// a device backend may run them asynchronously. Only <see cref="Download"/> returns data to the
/// host, so only it may wait for the device.
/// <para>
/// Conventions: outputs are overwritten unless the name says Accumulate; a gradient tensor has
/// the shape of its value; matrices for <see cref="Gemm"/> are read as [N, C*H*W] row-major.
/// </para>
/// </summary>
internal interface IBackend : IDisposable
{
    /// <summary>A short name for logs, such as "cpu".</summary>
    string Name { get; }

    /// <summary>What the backend runs on, for logs and benchmark reports.</summary>
    string Description { get; }

    /// <summary>Allocates a zero-filled tensor.</summary>
    Tensor Allocate(TensorShape shape);

    /// <summary>A view of the first <paramref name="shape"/>.Count elements of <paramref name="tensor"/>; it shares memory.</summary>
    Tensor View(Tensor tensor, TensorShape shape);

    void Upload(ReadOnlySpan<float> source, Tensor destination);

    void Download(Tensor source, Span<float> destination);

    void Fill(Tensor tensor, float value);

    void Copy(Tensor source, Tensor destination);

    /// <summary>
    /// Converts uint8 NHWC RGB pixels to float NCHW in [0, 1] and copies the labels
    /// (NaN for unlabeled). <paramref name="images"/> is [batch.Count, 3, H, W] and
    /// <paramref name="labels"/> is [batch.Count, 1, 1, 1].
    /// <para>
    /// A device backend may read the batch's host memory asynchronously. It may be reused once
    /// the next LoadImages call has returned, or after <see cref="WaitForUploads"/>, or after any
    /// <see cref="Download"/> (which waits for all queued work).
    /// </para>
    /// </summary>
    void LoadImages(HostImageBatch batch, Tensor images, Tensor labels);

    /// <summary>Returns once no earlier <see cref="LoadImages"/> still reads host memory. The CPU's loads are synchronous.</summary>
    void WaitForUploads()
    {
    }

    /// <summary>Where input batches should live so that <see cref="LoadImages"/> is fastest (pinned memory under CUDA).</summary>
    IHostMemoryAllocator HostAllocator => AlignedHostAllocator.Instance;

    /// <summary>
    /// y = conv(x, w) + bias, then max(y, 0) when <paramref name="relu"/> is set; stride 1, w is
    /// [Cout, Cin, k, k], bias [Cout, 1, 1, 1]. Fused like cuDNN's ConvolutionBiasActivationForward,
    /// so the output is written once.
    /// </summary>
    void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, int padding, bool relu);

    /// <summary>dx = conv_transpose(dy, w).</summary>
    void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding);

    /// <summary>dw = correlation of x with dy, summed over the batch.</summary>
    void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding);

    /// <summary>y[n, c, h, w] += bias[c]; bias is [C, 1, 1, 1].</summary>
    void AddBias(Tensor y, Tensor bias);

    /// <summary>dbias[c] = sum of dy[n, c, h, w] over n, h, w.</summary>
    void BiasBackward(Tensor dy, Tensor dbias);

    /// <summary>c = alpha * op(a) * op(b) + beta * c, each tensor read as an [N, C*H*W] matrix.</summary>
    void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /// <summary>y = max(x, 0); y may be x.</summary>
    void ReluForward(Tensor x, Tensor y);

    /// <summary>dx = dy where y &gt; 0, else 0; dx may be dy.</summary>
    void ReluBackward(Tensor y, Tensor dy, Tensor dx);

    /// <summary>
    /// y += x, elementwise over tensors of one shape: a residual connection's sum in the forward pass, and in the
    /// backward one the gradient of the skipped-over path joining that of the path through the block.
    /// </summary>
    void Add(Tensor x, Tensor y);

    /// <summary>Non-overlapping max pooling with a square window, flooring odd sizes as Keras does.</summary>
    void MaxPoolForward(Tensor x, Tensor y, int window);

    /// <summary>Routes dy to the first maximum of each window of x; other positions of dx get 0.</summary>
    void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window);

    /// <summary>y[n, c] = mean of x[n, c, :, :].</summary>
    void GlobalAveragePoolForward(Tensor x, Tensor y);

    void GlobalAveragePoolBackward(Tensor dy, Tensor dx);

    /// <summary>
    /// Inverted dropout: keeps an element with probability 1 - rate and scales it by
    /// 1 / (1 - rate). The mask is <see cref="CounterRandom"/> of (seed, element index), so the
    /// backward pass regenerates it instead of storing it.
    /// </summary>
    void DropoutForward(Tensor x, Tensor y, float rate, ulong seed);

    void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed);

    /// <summary>
    /// Batch statistics per channel: y = gamma * (x - mean) / sqrt(var + eps) + beta. Updates the
    /// running statistics (unbiased variance, PyTorch's convention) with
    /// running = (1 - momentum) * running + momentum * batch, and saves mean and 1/std for backward.
    /// </summary>
    void BatchNormForwardTraining(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        Tensor savedMean, Tensor savedInverseStd, float momentum, float epsilon);

    void BatchNormForwardInference(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon);

    void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor savedMean, Tensor savedInverseStd,
        Tensor dx, Tensor dgamma, Tensor dbeta);

    /// <summary>
    /// Numerically stable binary cross-entropy on logits against labels (NaN labels are
    /// skipped). Adds [loss sum, correct count, labeled count] to <paramref name="stats"/>
    /// ([3, 1, 1, 1]) and, when <paramref name="dlogits"/> is given, writes the gradient of the
    /// mean loss over the labeled items. Label smoothing takes each target t to t (1 - s) + s / 2
    /// (<paramref name="smoothing"/> s, 0 for none) in the loss and the gradient; the correct count is
    /// against the label.
    /// </summary>
    void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats, float smoothing);

    void Sigmoid(Tensor x, Tensor y);

    /// <summary>sum[0] += the sum of squares of x, for clipping by global norm.</summary>
    void AccumulateSquaredNorm(Tensor x, Tensor sum);

    /// <summary>factor[0] = min(1, maxNorm / sqrt(sumOfSquares[0])), so clipping needs no host read.</summary>
    void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor);

    /// <summary>One SGD step on a parameter; the gradient is first scaled by gradientScale[0] when given.</summary>
    void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step);

    /// <summary>One AdamW step on a parameter; the gradient is first scaled by gradientScale[0] when given.</summary>
    void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step);
}
