using System.Globalization;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Native;
using CatsDogs.Model.Native.Loading;
using static CatsDogs.Model.Backends.ShapeCheck;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// The GPU backend: cuDNN for convolutions (fused with bias and ReLU in the forward pass),
/// pooling, activations, bias gradients and batch norm; cuBLAS for dense layers; NVRTC kernels
/// for the rest. One primary context, a compute stream that runs every op in order, and a copy
/// stream for batch uploads (<see cref="ImageUploader"/>). Nothing in an op waits for the device
/// except <see cref="Download"/>, <see cref="Upload"/> (off the training path) and the first
/// sight of a convolution shape, whose algorithms are then measured.
/// <para>
/// Threading: one caller at a time, from any thread: each entry point makes the context current.
/// </para>
/// </summary>
internal sealed unsafe class CudaBackend : IBackend
{
    private readonly CudaContext _context;
    private readonly CudaStream _compute;
    private readonly CudaStream _copy;
    private readonly CudnnHandle _cudnn;
    private readonly CublasHandle _cublas;
    private readonly CudaKernels _kernels;
    private readonly ImageUploader _uploader;
    private readonly DeviceWorkspace _workspace;
    private readonly TensorDescriptors _descriptors = new();
    private readonly Dictionary<ConvolutionKey, ConvolutionPlan> _plans = [];
    private readonly Dictionary<int, PoolingDescriptor> _pooling = [];
    private readonly ActivationDescriptor _relu;
    private readonly Dictionary<ulong, double> _batchNormEpsilon = [];
    /// <summary>What precision and --deterministic allow: the convolution algorithms and how they are ranked, the max pooling mode, TF32 in cuBLAS.</summary>
    private readonly AlgorithmRule _rule;
    private readonly TextWriter? _log;
    private bool _saidFusionDeclined;

    private CudaBackend(CudaContext context, CudaLibrarySet libraries, CudaBackendOptions options)
    {
        _context = context;
        _rule = new AlgorithmRule(AllowTf32: options.Precision == Precision.Tf32, options.Deterministic);
        _log = options.Log;
        foreach (var line in libraries.OptionalNotLoaded)
        {
            _log?.WriteLine($"GPU libraries: {line}; what needs it will fail when it is called.");
        }

        try
        {
            _compute = CudaStream.Create(context);
            _copy = CudaStream.Create(context);
            _cudnn = CudnnHandle.Create(_compute);
            _cublas = CublasHandle.Create(_compute, _rule.AllowTf32);
            _kernels = CudaKernels.Compile(context);
            _uploader = new ImageUploader(context, _copy, _compute);
            _workspace = new DeviceWorkspace(context, _compute.Synchronize);
            _relu = ActivationDescriptor.CreateRelu();
            HostAllocator = new PinnedHostAllocator(context);
            Description = Describe(context, libraries.CudaMajor, _cublas.Version, _kernels.Architecture, options);
        }
        catch
        {
            // A failed NVRTC compile, say, must not leave handles for the finalizer to destroy once the context is gone.
            ReleaseHandles();
            throw;
        }
    }

    public string Name => "cuda";

    public string Description { get; }

    public IHostMemoryAllocator HostAllocator { get; }

    /// <summary>
    /// Opens device <see cref="CudaBackendOptions.Device"/> with already loaded libraries and
    /// compiles the kernels for it. No GPU is a <see cref="CudaException"/>.
    /// </summary>
    public static CudaBackend Create(CudaLibrarySet libraries, CudaBackendOptions options)
    {
        var context = CudaContext.Open(options.Device);
        try
        {
            return new CudaBackend(context, libraries, options);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public Tensor Allocate(TensorShape shape)
    {
        Enter();
        var tensor = CudaTensor.Allocate(_context, shape);
        ThrowIfFailed(CudaNative.cuMemsetD32Async(tensor.Address, 0, (nuint)shape.Count, _compute.Value));
        return tensor;
    }

    public Tensor View(Tensor tensor, TensorShape shape) => Cuda(tensor).View(shape);

    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        var target = Cuda(destination);
        Require(source.Length == target.Shape.Count);
        Enter();
        fixed (float* data = source)
        {
            ThrowIfFailed(CudaNative.cuMemcpyHtoDAsync_v2(target.Address, data, (nuint)target.Bytes, _compute.Value));
            _compute.Synchronize();
        }
    }

    public void Download(Tensor source, Span<float> destination)
    {
        var from = Cuda(source);
        Require(destination.Length >= from.Shape.Count);
        Enter();
        fixed (float* data = destination)
        {
            ThrowIfFailed(CudaNative.cuMemcpyDtoHAsync_v2(data, from.Address, (nuint)from.Bytes, _compute.Value));
            _compute.Synchronize();
        }
    }

    public void Fill(Tensor tensor, float value)
    {
        Enter();
        var target = Cuda(tensor);
        ThrowIfFailed(CudaNative.cuMemsetD32Async(target.Address, BitConverter.SingleToUInt32Bits(value), (nuint)target.Shape.Count, _compute.Value));
    }

    public void Copy(Tensor source, Tensor destination)
    {
        Same(source.Shape, destination.Shape);
        Enter();
        ThrowIfFailed(CudaNative.cuMemcpyDtoDAsync_v2(Cuda(destination).Address, Cuda(source).Address, (nuint)Cuda(source).Bytes, _compute.Value));
    }

    public void LoadImages(HostImageBatch batch, Tensor images, Tensor labels)
    {
        Same(new TensorShape(batch.Count, HostImageBatch.Channels, batch.Height, batch.Width), images.Shape);
        Same(new TensorShape(batch.Count, 1), labels.Shape);
        Enter();
        _uploader.Load(batch, Cuda(images), Cuda(labels), _kernels);
    }

    public void WaitForUploads()
    {
        Enter();
        _uploader.WaitForUploads();
    }

    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, int padding, bool relu)
    {
        var plan = Plan(x, w, y, padding);
        var workspace = _workspace.Reserve(plan.ForwardWorkspace);
        if (bias is not null && relu && plan.FusedForward != FusedForward.Declined)
        {
            // cuDNN's fused op writes the output once. alpha2 = 0: the z input is not read, so it may alias y.
            Same(new TensorShape(w.Shape.N, 1), bias.Shape);
            float alpha1 = 1f, alpha2 = 0f;
            var output = Cuda(y).Address;
            var fused = CudnnNative.cudnnConvolutionBiasActivationForward(_cudnn.Value, &alpha1, plan.X.Value, Cuda(x).Address, plan.W.Value, Cuda(w).Address,
                plan.ForwardConvolution.Value, plan.ForwardAlgorithm, workspace, (nuint)plan.ForwardWorkspace, &alpha2, plan.Y.Value, output,
                plan.Bias.Value, Cuda(bias).Address, _relu.Value, plan.Y.Value, output);
            if (fused == CudnnStatus.Success || plan.FusedForward == FusedForward.Works)
            {
                ThrowIfFailed(fused, "cudnnConvolutionBiasActivationForward");
                plan.FusedForward = FusedForward.Works;
                return;
            }

            // Find measured the plain convolution, and cuDNN may refuse to fuse bias and ReLU with the
            // algorithm it chose in many ways: "not supported", but also bad-parameter and
            // runtime-compilation statuses for some shapes on sm_90. The unfused path computes the same.
            plan.FusedForward = FusedForward.Declined;
            DeclinedFusion(fused, x.Shape, w.Shape);
        }

        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnConvolutionForward(_cudnn.Value, &alpha, plan.X.Value, Cuda(x).Address, plan.W.Value, Cuda(w).Address,
            plan.ForwardConvolution.Value, plan.ForwardAlgorithm, workspace, (nuint)plan.ForwardWorkspace, &beta, plan.Y.Value, Cuda(y).Address));
        if (bias is not null)
        {
            AddBias(y, bias);
        }

        if (relu)
        {
            ReluForward(y, y);
        }
    }

    /// <summary>Says once per backend that cuDNN declined a fusion, with its status and last error: what a first GPU run needs to know.</summary>
    private void DeclinedFusion(CudnnStatus status, TensorShape x, TensorShape w)
    {
        if (!_saidFusionDeclined)
        {
            _saidFusionDeclined = true;
            _log?.WriteLine($"cuDNN declined the fused convolution+bias+ReLU for input {x}, filters {w} with {status} ({(int)status}): {Explain(status)}; " +
                "such convolutions run unfused (convolution, then bias, then ReLU).");
        }
    }

    public void ConvolutionBackwardData(Tensor dy, Tensor w, Tensor dx, int padding)
    {
        var plan = Plan(dx, w, dy, padding);
        var workspace = _workspace.Reserve(plan.BackwardDataWorkspace);
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnConvolutionBackwardData(_cudnn.Value, &alpha, plan.W.Value, Cuda(w).Address, plan.Y.Value, Cuda(dy).Address,
            plan.BackwardDataConvolution.Value, plan.BackwardDataAlgorithm, workspace, (nuint)plan.BackwardDataWorkspace, &beta, plan.X.Value, Cuda(dx).Address));
    }

    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, int padding)
    {
        var plan = Plan(x, dw, dy, padding);
        var workspace = _workspace.Reserve(plan.BackwardFilterWorkspace);
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnConvolutionBackwardFilter(_cudnn.Value, &alpha, plan.X.Value, Cuda(x).Address, plan.Y.Value, Cuda(dy).Address,
            plan.BackwardFilterConvolution.Value, plan.BackwardFilterAlgorithm, workspace, (nuint)plan.BackwardFilterWorkspace, &beta, plan.W.Value, Cuda(dw).Address));
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        Same(new TensorShape(y.Shape.C, 1), bias.Shape);
        Enter();
        float alpha = 1f, beta = 1f;
        ThrowIfFailed(CudnnNative.cudnnAddTensor(_cudnn.Value, &alpha, _descriptors.ForChannels(y.Shape.C), Cuda(bias).Address,
            &beta, _descriptors.For(y.Shape), Cuda(y).Address));
    }

    public void BiasBackward(Tensor dy, Tensor dbias)
    {
        Same(new TensorShape(dy.Shape.C, 1), dbias.Shape);
        Enter();
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnConvolutionBackwardBias(_cudnn.Value, &alpha, _descriptors.For(dy.Shape), Cuda(dy).Address,
            &beta, _descriptors.ForChannels(dy.Shape.C), Cuda(dbias).Address));
    }

    /// <summary>
    /// Row-major C = op(A) op(B) through column-major cuBLAS: the same memory read column-major
    /// is the transpose, so cuBLAS computes Cᵀ = op(B)ᵀ op(A)ᵀ with the operands swapped.
    /// </summary>
    public void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c)
    {
        var (aRows, aColumns) = (a.Shape.N, a.Shape.ItemSize);
        var (bRows, bColumns) = (b.Shape.N, b.Shape.ItemSize);
        var (m, k) = transposeA ? (aColumns, aRows) : (aRows, aColumns);
        var (kb, n) = transposeB ? (bColumns, bRows) : (bRows, bColumns);
        Require(k == kb && c.Shape.N == m && c.Shape.ItemSize == n);
        Enter();
        ThrowIfFailed(CublasNative.cublasSgemm_v2(_cublas.Value,
            transposeB ? CublasOperation.Transpose : CublasOperation.None, transposeA ? CublasOperation.Transpose : CublasOperation.None,
            n, m, k, &alpha, Cuda(b).Address, bColumns, Cuda(a).Address, aColumns, &beta, Cuda(c).Address, n));
    }

    public void ReluForward(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        Enter();
        var descriptor = _descriptors.For(x.Shape);
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnActivationForward(_cudnn.Value, _relu.Value, &alpha, descriptor, Cuda(x).Address, &beta, descriptor, Cuda(y).Address));
    }

    /// <summary>y stands in for x: relu(x) &gt; 0 exactly where x &gt; 0, so the mask is the same, and y is what callers keep.</summary>
    public void ReluBackward(Tensor y, Tensor dy, Tensor dx)
    {
        Same(y.Shape, dy.Shape);
        Same(y.Shape, dx.Shape);
        Enter();
        var descriptor = _descriptors.For(y.Shape);
        var output = Cuda(y).Address;
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnActivationBackward(_cudnn.Value, _relu.Value, &alpha, descriptor, output, descriptor, Cuda(dy).Address,
            descriptor, output, &beta, descriptor, Cuda(dx).Address));
    }

    public void MaxPoolForward(Tensor x, Tensor y, int window)
    {
        Same(x.Shape.Pooled(window), y.Shape);
        Enter();
        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnPoolingForward(_cudnn.Value, Pooling(window), &alpha, _descriptors.For(x.Shape), Cuda(x).Address,
            &beta, _descriptors.For(y.Shape), Cuda(y).Address));
    }

    public void MaxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, int window)
    {
        var output = x.Shape.Pooled(window);
        Same(output, y.Shape);
        Same(output, dy.Shape);
        Same(x.Shape, dx.Shape);
        Enter();
        if (x.Shape.H % window != 0 || x.Shape.W % window != 0)
        {
            // Rows and columns that floor drops belong to no window; make sure they read 0.
            Fill(dx, 0f);
        }

        float alpha = 1f, beta = 0f;
        ThrowIfFailed(CudnnNative.cudnnPoolingBackward(_cudnn.Value, Pooling(window), &alpha, _descriptors.For(y.Shape), Cuda(y).Address,
            _descriptors.For(dy.Shape), Cuda(dy).Address, _descriptors.For(x.Shape), Cuda(x).Address, &beta, _descriptors.For(dx.Shape), Cuda(dx).Address));
    }

    public void GlobalAveragePoolForward(Tensor x, Tensor y)
    {
        Same(new TensorShape(x.Shape.N, x.Shape.C), y.Shape);
        Enter();
        _kernels.GlobalAveragePoolForward(Cuda(x).Address, Cuda(y).Address, x.Shape.N * x.Shape.C, x.Shape.Plane, _compute);
    }

    public void GlobalAveragePoolBackward(Tensor dy, Tensor dx)
    {
        Same(new TensorShape(dx.Shape.N, dx.Shape.C), dy.Shape);
        Enter();
        _kernels.GlobalAveragePoolBackward(Cuda(dy).Address, Cuda(dx).Address, dx.Shape.N * dx.Shape.C, dx.Shape.Plane, _compute);
    }

    /// <summary>
    /// A kernel rather than cuDNN's dropout: the interface fixes the mask as
    /// <see cref="CounterRandom"/> of (seed, index), so that CPU and GPU agree, checkpoints
    /// need no RNG state and backward needs no reserve space.
    /// </summary>
    public void DropoutForward(Tensor x, Tensor y, float rate, ulong seed) => Dropout(x, y, rate, seed);

    public void DropoutBackward(Tensor dy, Tensor dx, float rate, ulong seed) => Dropout(dy, dx, rate, seed);

    public void BatchNormForwardTraining(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        Tensor savedMean, Tensor savedInverseStd, float momentum, float epsilon)
    {
        Same(x.Shape, y.Shape);
        var parameters = ChannelVectors(x.Shape.C, gamma, beta, runningMean, runningVariance, savedMean, savedInverseStd);
        Enter();
        float one = 1f, zero = 0f;
        ThrowIfFailed(CudnnNative.cudnnBatchNormalizationForwardTraining(_cudnn.Value, CudnnBatchNormMode.Spatial, &one, &zero,
            _descriptors.For(x.Shape), Cuda(x).Address, _descriptors.For(y.Shape), Cuda(y).Address, parameters, Cuda(gamma).Address, Cuda(beta).Address,
            momentum, Cuda(runningMean).Address, Cuda(runningVariance).Address, epsilon, Cuda(savedMean).Address, Cuda(savedInverseStd).Address));
        _batchNormEpsilon[Cuda(savedInverseStd).Address] = epsilon;
    }

    public void BatchNormForwardInference(Tensor x, Tensor y, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, float epsilon)
    {
        Same(x.Shape, y.Shape);
        var parameters = ChannelVectors(x.Shape.C, gamma, beta, runningMean, runningVariance);
        Enter();
        float one = 1f, zero = 0f;
        ThrowIfFailed(CudnnNative.cudnnBatchNormalizationForwardInference(_cudnn.Value, CudnnBatchNormMode.Spatial, &one, &zero,
            _descriptors.For(x.Shape), Cuda(x).Address, _descriptors.For(y.Shape), Cuda(y).Address, parameters, Cuda(gamma).Address, Cuda(beta).Address,
            Cuda(runningMean).Address, Cuda(runningVariance).Address, epsilon));
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
        float one = 1f, zero = 0f;
        var descriptor = _descriptors.For(x.Shape);
        ThrowIfFailed(CudnnNative.cudnnBatchNormalizationBackward(_cudnn.Value, CudnnBatchNormMode.Spatial, &one, &zero, &one, &zero,
            descriptor, Cuda(x).Address, descriptor, Cuda(dy).Address, descriptor, Cuda(dx).Address, parameters, Cuda(gamma).Address,
            Cuda(dgamma).Address, Cuda(dbeta).Address, epsilon, Cuda(savedMean).Address, Cuda(savedInverseStd).Address));
    }

    public void SigmoidCrossEntropy(Tensor logits, Tensor labels, Tensor? dlogits, Tensor stats)
    {
        Same(new TensorShape(logits.Shape.N, 1), logits.Shape);
        Same(logits.Shape, labels.Shape);
        Same(new TensorShape(3, 1), stats.Shape);
        if (dlogits is not null)
        {
            Same(logits.Shape, dlogits.Shape);
        }

        Enter();
        _kernels.SigmoidCrossEntropy(Cuda(logits).Address, Cuda(labels).Address, dlogits is null ? 0 : Cuda(dlogits).Address,
            Cuda(stats).Address, logits.Shape.N, _compute);
    }

    public void Sigmoid(Tensor x, Tensor y)
    {
        Same(x.Shape, y.Shape);
        Enter();
        _kernels.Sigmoid(Cuda(x).Address, Cuda(y).Address, x.Shape.Count, _compute);
    }

    public void AccumulateSquaredNorm(Tensor x, Tensor sum)
    {
        Same(new TensorShape(1, 1), sum.Shape);
        Enter();
        _kernels.SquaredNorm(Cuda(x).Address, x.Shape.Count, Cuda(sum).Address, _compute);
    }

    public void ClipFactor(Tensor sumOfSquares, float maxNorm, Tensor factor)
    {
        Same(new TensorShape(1, 1), sumOfSquares.Shape);
        Same(new TensorShape(1, 1), factor.Shape);
        Enter();
        _kernels.ClipFactor(Cuda(sumOfSquares).Address, maxNorm, Cuda(factor).Address, _compute);
    }

    public void SgdUpdate(Tensor weights, Tensor gradient, Tensor velocity, Tensor? gradientScale, in SgdStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, velocity.Shape);
        Enter();
        _kernels.SgdUpdate(Cuda(weights).Address, Cuda(gradient).Address, Cuda(velocity).Address, ScaleOf(gradientScale),
            weights.Shape.Count, step, _compute);
    }

    public void AdamWUpdate(Tensor weights, Tensor gradient, Tensor firstMoment, Tensor secondMoment, Tensor? gradientScale, in AdamWStep step)
    {
        Same(weights.Shape, gradient.Shape);
        Same(weights.Shape, firstMoment.Shape);
        Same(weights.Shape, secondMoment.Shape);
        Enter();
        _kernels.AdamWUpdate(Cuda(weights).Address, Cuda(gradient).Address, Cuda(firstMoment).Address, Cuda(secondMoment).Address,
            ScaleOf(gradientScale), weights.Shape.Count, step, _compute);
    }

    /// <summary>
    /// Waits for all queued work, then frees in reverse order of creation; library handles go before the context.
    /// After a sticky device error the wait fails; everything is freed all the same, and the error that
    /// caused it, already on its way up, is not replaced by this one.
    /// </summary>
    public void Dispose()
    {
        try
        {
            _context.Synchronize();
        }
        catch (CudaException)
        {
        }

        ReleaseHandles();
        _context.Dispose();
    }

    internal static string Describe(CudaContext context, int cudaMajor, int cublasVersion, string architecture, CudaBackendOptions options)
    {
        var (major, minor) = context.ComputeCapability;
        var cudnn = (long)CudnnNative.cudnnGetVersion();
        var (nvrtcMajor, nvrtcMinor) = NvrtcCompiler.Version;
        return string.Create(CultureInfo.InvariantCulture,
            $"{context.Name} (compute {major}.{minor}, {context.Multiprocessors} SMs, {context.TotalMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB), " +
            $"driver CUDA {context.DriverVersion / 1000}.{context.DriverVersion % 1000 / 10}, cuDNN {cudnn / 10000}.{cudnn % 10000 / 100}.{cudnn % 100}, " +
            $"cuBLAS {cublasVersion / 10000}.{cublasVersion % 10000 / 100}.{cublasVersion % 100} (CUDA {cudaMajor}), NVRTC {nvrtcMajor}.{nvrtcMinor} ({architecture}), " +
            $"{(options.Precision == Precision.Tf32 ? "TF32 allowed" : "strict FP32")}{(options.Deterministic ? ", deterministic" : "")}");
    }

    /// <summary>Everything but the context, null-safe because a failed constructor calls it too.</summary>
    private void ReleaseHandles()
    {
        foreach (var plan in _plans.Values)
        {
            plan.Dispose();
        }

        foreach (var pooling in _pooling.Values)
        {
            pooling.Dispose();
        }

        _relu?.Dispose();
        _descriptors.Dispose();
        _workspace?.Dispose();
        _uploader?.Dispose();
        _kernels?.Dispose();
        _cublas?.Dispose();
        _cudnn?.Dispose();
        _copy?.Dispose();
        _compute?.Dispose();
    }

    private static CudaTensor Cuda(Tensor tensor) =>
        tensor as CudaTensor ?? throw new ArgumentException($"A {tensor.GetType().Name} was passed to the CUDA backend.", nameof(tensor));

    private static ulong ScaleOf(Tensor? gradientScale)
    {
        if (gradientScale is null)
        {
            return 0;
        }

        Same(new TensorShape(1, 1), gradientScale.Shape);
        return Cuda(gradientScale).Address;
    }

    private void Enter() => _context.MakeCurrent();

    private nint ChannelVectors(int channels, params ReadOnlySpan<Tensor> vectors)
    {
        foreach (var vector in vectors)
        {
            Same(new TensorShape(channels, 1), vector.Shape);
        }

        return _descriptors.ForChannels(channels);
    }

    private ConvolutionPlan Plan(Tensor x, Tensor w, Tensor y, int padding)
    {
        Require(w.Shape.H == w.Shape.W && w.Shape.C == x.Shape.C);
        Enter();
        var key = new ConvolutionKey(x.Shape, w.Shape, padding);
        if (!_plans.TryGetValue(key, out var plan))
        {
            plan = ConvolutionPlan.Create(_cudnn, key, _rule);
            _plans[key] = plan;
        }

        Same(plan.Output, y.Shape);
        return plan;
    }

    private nint Pooling(int window)
    {
        if (!_pooling.TryGetValue(window, out var descriptor))
        {
            descriptor = PoolingDescriptor.CreateMax(window, _rule.Deterministic);
            _pooling[window] = descriptor;
        }

        return descriptor.Value;
    }

    private void Dropout(Tensor x, Tensor y, float rate, ulong seed)
    {
        Same(x.Shape, y.Shape);
        Require(rate is >= 0f and < 1f);
        Enter();
        _kernels.Dropout(Cuda(x).Address, Cuda(y).Address, x.Shape.Count, rate, 1f / (1f - rate), seed, _compute);
    }
}
