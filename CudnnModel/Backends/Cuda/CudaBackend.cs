using System.Globalization;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Native;
using CatsDogs.Model.Native.Loading;
using static CatsDogs.Model.Backends.ShapeCheck;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// The GPU backend: cuDNN for convolutions (fused with bias and ReLU in the forward pass),
/// pooling, activations, bias gradients and batch norm; cuBLAS for dense layers; NVRTC kernels
/// for the rest. One primary context, a compute stream that runs every op in order, and a copy
/// stream for batch uploads (<see cref="ImageUploader"/>). Nothing in an op waits for the device
/// except <see cref="Download"/>, <see cref="Upload"/> (off the training path) and the first
/// sight of a convolution shape, whose algorithms are then measured.
/// <para>
/// This file holds the device, memory and uploads; the ops live by family beside it, as the CPU
/// backend's do: CudaBackend.Convolution.cs, .Dense, .Activations, .Pooling, .Normalisation,
/// .Loss and .Optimizers.
/// </para>
/// <para>
/// Threading: one caller at a time, from any thread: each entry point makes the context current.
/// </para>
/// <para>
/// Interop: only the handles of layer 3 (<see cref="CudaStream"/>, <see cref="CudnnHandle"/>,
/// <see cref="CublasHandle"/>, ...) are called from here; they check every status.
/// </para>
/// </summary>
internal sealed partial class CudaBackend : IBackend
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
            Description = Describe(context, libraries.CudaMajor, _cublas.Version, _cudnn.Version, _kernels.Architecture, options);
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
        _compute.Fill(tensor.Address, 0, shape.Count);
        return tensor;
    }

    public Tensor View(Tensor tensor, TensorShape shape) => Cuda(tensor).View(shape);

    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        var target = Cuda(destination);
        Require(source.Length == target.Shape.Count);
        Enter();
        _compute.CopyHostToDeviceAndWait(source, target.Address);
    }

    public void Download(Tensor source, Span<float> destination)
    {
        var from = Cuda(source);
        Require(destination.Length >= from.Shape.Count);
        Enter();
        _compute.CopyDeviceToHostAndWait(from.Address, destination[..from.Shape.Count]);
    }

    public void Fill(Tensor tensor, float value)
    {
        Enter();
        var target = Cuda(tensor);
        _compute.Fill(target.Address, BitConverter.SingleToUInt32Bits(value), target.Shape.Count);
    }

    public void Copy(Tensor source, Tensor destination)
    {
        Same(source.Shape, destination.Shape);
        Enter();
        _compute.CopyDeviceToDevice(Cuda(source).Address, Cuda(destination).Address, Cuda(source).Bytes);
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

    internal static string Describe(CudaContext context, int cudaMajor, int cublasVersion, long cudnnVersion, string architecture, CudaBackendOptions options)
    {
        var (major, minor) = context.ComputeCapability;
        var (nvrtcMajor, nvrtcMinor) = NvrtcCompiler.Version;
        return string.Create(CultureInfo.InvariantCulture,
            $"{context.Name} (compute {major}.{minor}, {context.Multiprocessors} SMs, {context.TotalMemoryBytes / (1024.0 * 1024 * 1024):F0} GiB), " +
            $"driver CUDA {context.DriverVersion / 1000}.{context.DriverVersion % 1000 / 10}, cuDNN {cudnnVersion / 10000}.{cudnnVersion % 10000 / 100}.{cudnnVersion % 100}, " +
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

    private void Enter() => _context.MakeCurrent();
}
