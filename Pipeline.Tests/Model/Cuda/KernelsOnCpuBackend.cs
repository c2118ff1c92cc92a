using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Native;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CPU backend with every op that CudaBackend runs as an NVRTC kernel replaced by that kernel,
/// built for the CPU (<see cref="CpuKernelModule"/>) and launched through CudaKernels on the CPU
/// tensors' memory. Tensors map to kernel arguments as in CudaBackend, whose own mapping needs a
/// GPU to run; the image load passes pixels and labels directly, where CudaBackend stages both in
/// one device buffer first.
/// </summary>
internal sealed unsafe class KernelsOnCpuBackend : ForwardingBackend
{
    private readonly CudaKernels _kernels;

    // The null stream: the emulation runs each launch to completion.
    private readonly CudaStream _stream = new(0, 0);

    /// <param name="maxBlocks">Few blocks, so that the grid-stride loops go round more than once.</param>
    public KernelsOnCpuBackend(CpuKernelModule module, uint maxBlocks)
        : base(new CpuBackend(new CpuBackendOptions { Threads = 1 }))
    {
        _kernels = new CudaKernels(module, maxBlocks, "cpu");
    }

    public override void LoadImages(HostImageBatch batch, Tensor images, Tensor labels) =>
        _kernels.LoadImages((ulong)batch.Pixels, (ulong)batch.Labels, Address(images), Address(labels), batch.Count, batch.Height * batch.Width, _stream);

    public override void GlobalAveragePoolForward(Tensor x, Tensor y) =>
        _kernels.GlobalAveragePoolForward(Address(x), Address(y), x.Shape.N * x.Shape.C, x.Shape.Plane, _stream);

    public override void GlobalAveragePoolBackward(Tensor dy, Tensor dx) =>
        _kernels.GlobalAveragePoolBackward(Address(dy), Address(dx), dx.Shape.N * dx.Shape.C, dx.Shape.Plane, _stream);

    public override void DropoutForward(Tensor x, Tensor y, float rate, ulong seed) =>
        _kernels.Dropout(Address(x), Address(y), x.Shape.Count, rate, 1f / (1f - rate), seed, _stream);

    public override void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed) =>
        _kernels.Dropout(Address(dy), Address(dx), dy.Shape.Count, rate, 1f / (1f - rate), seed, _stream);

    public override void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats) =>
        _kernels.SigmoidCrossEntropy(Address(logits), Address(labels), dlogits is null ? 0 : Address(dlogits), Address(stats), logits.Shape.N, _stream);

    public override void Sigmoid(Tensor x, Tensor y) => _kernels.Sigmoid(Address(x), Address(y), x.Shape.Count, _stream);

    public override void AccumulateSquaredNorm(Tensor x, Tensor sum) => _kernels.SquaredNorm(Address(x), x.Shape.Count, Address(sum), _stream);

    public override void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor) =>
        _kernels.ClipFactor(Address(sumOfSquares), maxNorm, Address(factor), _stream);

    public override void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step) =>
        _kernels.SgdUpdate(Address(weights), Address(gradient), Address(velocity), gradientScale is null ? 0 : Address(gradientScale),
            weights.Shape.Count, step, _stream);

    public override void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step) =>
        _kernels.AdamWUpdate(Address(weights), Address(gradient), Address(firstMoment), Address(secondMoment),
            gradientScale is null ? 0 : Address(gradientScale), weights.Shape.Count, step, _stream);

    public override void Dispose()
    {
        _kernels.Dispose();
        _stream.Dispose();
        base.Dispose();
    }

    private static ulong Address(Tensor tensor) => (ulong)((CpuTensor)tensor).Pointer;
}
