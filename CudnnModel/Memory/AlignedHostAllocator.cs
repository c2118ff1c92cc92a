using System.Runtime.InteropServices;

namespace CatsDogs.Model.Memory;

/// <summary>
/// Plain native memory aligned to a page, so that vector loads never straddle a cache line at
/// the start of a batch: the CPU backend's batches. On CUDA the device's own allocator pins them
/// (PinnedHostAllocator).
/// </summary>
public sealed class AlignedHostAllocator : IHostMemoryAllocator
{
    private const int PageSize = 4096;

    public static AlignedHostAllocator Instance { get; } = new();

    public string Name => "aligned";

    public unsafe HostMemory Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        var pointer = (nint)NativeMemory.AlignedAlloc((nuint)bytes, PageSize);
        return new HostMemory(pointer, bytes, static p => NativeMemory.AlignedFree((void*)p));
    }
}
