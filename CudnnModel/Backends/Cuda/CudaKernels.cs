using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// The NVRTC-compiled kernels of Kernels.cu, compiled once for the device and launched on a
/// stream. Each launcher packs its arguments exactly as the kernel declares them: one pointer
/// per parameter, to a local of the same C type (pointers are 64-bit CUdeviceptr values).
/// </summary>
internal sealed unsafe class CudaKernels : IDisposable
{
    private const uint Threads = 256;

    private readonly CudaModule _module;
    private readonly uint _maxBlocks;
    private readonly DeviceMemory _normPartials;
    private readonly nint _loadImages;
    private readonly nint _sigmoidBce;
    private readonly nint _sigmoid;
    private readonly nint _dropout;
    private readonly nint _sgd;
    private readonly nint _adamW;
    private readonly nint _squaredNormPartials;
    private readonly nint _addPartials;
    private readonly nint _clipFactor;
    private readonly nint _gapForward;
    private readonly nint _gapBackward;

    /// <summary>Takes ownership of <paramref name="module"/>, which holds the kernels of <see cref="Source"/>, and of <paramref name="normPartials"/>.</summary>
    private CudaKernels(CudaModule module, uint maxBlocks, DeviceMemory normPartials, string architecture)
    {
        _module = module;
        _maxBlocks = maxBlocks;
        _normPartials = normPartials;
        Architecture = architecture;
        _loadImages = _module.Function("load_images");
        _sigmoidBce = _module.Function("sigmoid_bce");
        _sigmoid = _module.Function("sigmoid");
        _dropout = _module.Function("dropout");
        _sgd = _module.Function("sgd_update");
        _adamW = _module.Function("adamw_update");
        _squaredNormPartials = _module.Function("squared_norm_partials");
        _addPartials = _module.Function("add_partials");
        _clipFactor = _module.Function("clip_factor");
        _gapForward = _module.Function("gap_forward");
        _gapBackward = _module.Function("gap_backward");
    }

    /// <summary>Compiles <see cref="Source"/> with NVRTC for the device of <paramref name="context"/> and loads it.</summary>
    public static CudaKernels Compile(CudaContext context)
    {
        var (major, minor) = context.ComputeCapability;
        var architecture = NvrtcCompiler.ArchitectureFor(major, minor);
        var image = NvrtcCompiler.Compile(Source, "catsdogs_kernels.cu", architecture, CompileOptions);
        var module = CudaModule.Load(context, image);
        DeviceMemory? normPartials = null;
        try
        {
            // Enough blocks to fill every SM several times over; grid-stride loops do the rest.
            var maxBlocks = (uint)Math.Max(1, context.Multiprocessors * 8);
            normPartials = DeviceMemory.Allocate(context, maxBlocks * sizeof(float));
            return new CudaKernels(module, maxBlocks, normPartials, architecture);
        }
        catch
        {
            normPartials?.Dispose();
            module.Dispose();
            throw;
        }
    }

    /// <summary>What the kernels were compiled for, e.g. "sm_90".</summary>
    public string Architecture { get; }

    /// <summary>The kernel source, embedded in this assembly.</summary>
    internal static string Source { get; } = ReadSource();

    /// <summary>NVRTC's options besides the architecture: no fused multiply-add contraction, so that the kernels round as the CPU backend does.</summary>
    internal static IReadOnlyList<string> CompileOptions { get; } = ["--std=c++17", "--fmad=false"];

    public void LoadImages(ulong pixels, ulong stagedLabels, ulong images, ulong labels, int count, int plane, CudaStream stream)
    {
        var args = stackalloc void*[] { &pixels, &stagedLabels, &images, &labels, &count, &plane };
        Launch(_loadImages, count * plane, args, stream);
    }

    /// <summary>One block of 256 threads: the kernel's reductions assume exactly that (BCE_THREADS).</summary>
    public void SigmoidCrossEntropy(ulong logits, ulong labels, ulong dlogits, ulong stats, int n, float smoothing, CudaStream stream)
    {
        var args = stackalloc void*[] { &logits, &labels, &dlogits, &stats, &n, &smoothing };
        _module.Launch(_sigmoidBce, 1, Threads, stream, args);
    }

    public void Sigmoid(ulong x, ulong y, int n, CudaStream stream)
    {
        var args = stackalloc void*[] { &x, &y, &n };
        Launch(_sigmoid, n, args, stream);
    }

    public void Dropout(ulong x, ulong y, int n, float rate, float scale, ulong seed, CudaStream stream)
    {
        var args = stackalloc void*[] { &x, &y, &n, &rate, &scale, &seed };
        Launch(_dropout, n, args, stream);
    }

    public void SgdUpdate(ulong weights, ulong gradient, ulong velocity, ulong gradientScale, int n, in SgdStep step, CudaStream stream)
    {
        var (rate, momentum, nesterov, decay) = (step.LearningRate, step.Momentum, step.Nesterov ? 1 : 0, step.WeightDecay);
        var args = stackalloc void*[] { &weights, &gradient, &velocity, &gradientScale, &n, &rate, &momentum, &nesterov, &decay };
        Launch(_sgd, n, args, stream);
    }

    /// <summary>The bias corrections are computed here exactly as the CPU backend computes them.</summary>
    public void AdamWUpdate(ulong weights, ulong gradient, ulong first, ulong second, ulong gradientScale, int n, in AdamWStep step, CudaStream stream)
    {
        var correction1 = 1f - MathF.Pow(step.Beta1, step.Step);
        var correction2 = 1f - MathF.Pow(step.Beta2, step.Step);
        var stepSize = step.LearningRate / correction1;
        var rootCorrection2 = MathF.Sqrt(correction2);
        var keep = 1f - step.LearningRate * step.WeightDecay;
        var (beta1, beta2, epsilon) = (step.Beta1, step.Beta2, step.Epsilon);
        var args = stackalloc void*[] { &weights, &gradient, &first, &second, &gradientScale, &n, &beta1, &beta2, &epsilon, &stepSize, &rootCorrection2, &keep };
        Launch(_adamW, n, args, stream);
    }

    /// <summary>
    /// sum[0] += sum of x², the same on every run: each block of exactly 256 threads (NORM_THREADS)
    /// sums its share into a partial, then one block adds the partials in order. Successive calls
    /// on one stream may share the partials, as each call's second kernel has read them before the
    /// next call's first writes them.
    /// </summary>
    public void SquaredNorm(ulong x, int n, ulong sum, CudaStream stream)
    {
        var partials = _normPartials.Address;
        var blocks = Blocks(n);
        var count = (int)blocks;
        var partialArgs = stackalloc void*[] { &x, &n, &partials };
        _module.Launch(_squaredNormPartials, blocks, Threads, stream, partialArgs);
        var addArgs = stackalloc void*[] { &partials, &count, &sum };
        _module.Launch(_addPartials, 1, Threads, stream, addArgs);
    }

    public void ClipFactor(ulong sumOfSquares, float maxNorm, ulong factor, CudaStream stream)
    {
        var args = stackalloc void*[] { &sumOfSquares, &maxNorm, &factor };
        _module.Launch(_clipFactor, 1, 1, stream, args);
    }

    /// <summary>One warp per plane.</summary>
    public void GlobalAveragePoolForward(ulong x, ulong y, int planes, int plane, CudaStream stream)
    {
        var args = stackalloc void*[] { &x, &y, &planes, &plane };
        var blocks = (uint)((planes * 32L + Threads - 1) / Threads);
        _module.Launch(_gapForward, blocks, Threads, stream, args);
    }

    public void GlobalAveragePoolBackward(ulong dy, ulong dx, int planes, int plane, CudaStream stream)
    {
        var args = stackalloc void*[] { &dy, &dx, &planes, &plane };
        Launch(_gapBackward, planes * plane, args, stream);
    }

    public void Dispose()
    {
        _normPartials.Dispose();
        _module.Dispose();
    }

    /// <summary>A grid-stride launch over <paramref name="elements"/> items in blocks of 256.</summary>
    private void Launch(nint function, int elements, void** args, CudaStream stream) =>
        _module.Launch(function, Blocks(elements), Threads, stream, args);

    /// <summary>Blocks for a grid-stride loop over <paramref name="elements"/>: one per 256 elements, at most a few per SM.</summary>
    private uint Blocks(int elements) => (uint)Math.Clamp((elements + (long)Threads - 1) / Threads, 1L, _maxBlocks);

    private static string ReadSource()
    {
        using var stream = typeof(CudaKernels).Assembly.GetManifestResourceStream("CatsDogs.Model.Backends.Cuda.Kernels.cu")
            ?? throw new InvalidOperationException("The kernel source is not embedded in CudnnModel.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
