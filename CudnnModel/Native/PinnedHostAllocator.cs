using CatsDogs.Model.Memory;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: page-locked host memory from <c>cuMemHostAlloc</c> (portable: pinned for every context), so
/// that uploads from it run asynchronously on a copy stream. Blocks are freed with
/// <c>cuMemFreeHost</c>, from any thread, while the context lives: dispose the pool before the device.
/// </summary>
internal sealed class PinnedHostAllocator(CudaContext context) : IHostMemoryAllocator
{
    public string Name => "pinned";

    public HostMemory Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        context.MakeCurrent();
        ThrowIfFailed(CudaApi.MemHostAlloc((nuint)bytes, CudaFlags.HostAllocPortable, out var pointer), "cuMemHostAlloc");
        var owner = context.Handle;
        // The release never throws: after a sticky device error the context is gone and the memory with it.
        return new HostMemory(pointer, bytes, p =>
        {
            if (CudaContext.TryMakeCurrent(owner))
            {
                _ = CudaApi.MemFreeHost(p);
            }
        });
    }
}
