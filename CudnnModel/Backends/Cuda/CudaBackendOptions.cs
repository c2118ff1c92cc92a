namespace CatsDogs.Model.Backends.Cuda;

/// <summary>The --precision choices for float32 math on the GPU.</summary>
public enum Precision
{
    /// <summary>Tensor cores may round products to TF32 (10-bit mantissa): several times faster on Ampere and newer.</summary>
    Tf32,

    /// <summary>Strict float32 everywhere.</summary>
    Fp32,
}

/// <summary>Settings of the CUDA backend.</summary>
public sealed record CudaBackendOptions
{
    public Precision Precision { get; init; } = Precision.Tf32;

    /// <summary>
    /// Only computations that give the same bits on every run: cuDNN's deterministic convolution
    /// algorithms, chosen by its heuristics rather than by timings that vary, and its deterministic
    /// max pooling. The backend's own kernels are deterministic either way.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>The CUDA device ordinal to run on.</summary>
    public int Device { get; init; }

    /// <summary>Where the backend says, once, what it had to work around (a fusion cuDNN declined); nowhere when null.</summary>
    public TextWriter? Log { get; init; }
}
