namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// The scratch memory of one running thread, lent by <see cref="WorkerPool"/> for the items it
/// runs, so kernels need no locks and no per-call allocation.
/// </summary>
internal sealed class CpuWorkspace : IDisposable
{
    /// <summary>Packed panels of the left GEMM operand.</summary>
    public NativeBuffer PackedA { get; } = new();

    /// <summary>Packed panels of the right GEMM operand.</summary>
    public NativeBuffer PackedB { get; } = new();

    /// <summary>im2col columns of a group of images.</summary>
    public NativeBuffer Columns { get; } = new();

    /// <summary>Output or gradient of a group of images in [channel, image * plane] order.</summary>
    public NativeBuffer Staging { get; } = new();

    public void Dispose()
    {
        PackedA.Dispose();
        PackedB.Dispose();
        Columns.Dispose();
        Staging.Dispose();
    }
}
