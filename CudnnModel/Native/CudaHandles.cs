using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: the CUDA driver's objects as <see cref="SafeHandle"/>s, with the calls the backend
/// makes on them, each status checked by <see cref="GpuStatus"/>. This base's release makes the
/// owning context current first, so a handle can be disposed from any thread; it never throws, as
/// a release may run on the finalizer thread. A failed create never yields a handle (the status is
/// checked before one is made).
/// </summary>
internal abstract class DriverHandle : SafeHandle
{
    private readonly nint _context;

    protected DriverHandle(nint context, nint handle)
        : base(0, ownsHandle: true)
    {
        _context = context;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    public nint Value => handle;

    protected sealed override bool ReleaseHandle() =>
        CudaContext.TryMakeCurrent(_context) && Release(handle) == CuResult.Success;

    protected abstract CuResult Release(nint value);
}

/// <summary>
/// A stream created non-blocking, so it never waits on the legacy default stream. Copies and fills
/// are queued on it; the ones from or to a span wait for the stream, since the span is pinned only
/// while the call runs.
/// </summary>
internal sealed unsafe class CudaStream(nint context, nint stream) : DriverHandle(context, stream)
{
    public static CudaStream Create(CudaContext context)
    {
        ThrowIfFailed(CudaApi.StreamCreate(CudaFlags.StreamNonBlocking, out var stream), "cuStreamCreate");
        return new CudaStream(context.Handle, stream);
    }

    public void Synchronize() => ThrowIfFailed(CudaApi.StreamSynchronize(Value), "cuStreamSynchronize");

    /// <summary>Work queued on this stream after the call waits for <paramref name="cuEvent"/>; the host does not wait.</summary>
    public void Wait(CudaEvent cuEvent) => ThrowIfFailed(CudaApi.StreamWaitEvent(Value, cuEvent.Value), "cuStreamWaitEvent");

    /// <summary>Queues a copy from host memory that its owner keeps alive, and in place, until the copy has run (pinned memory, for a truly asynchronous one).</summary>
    public void CopyHostToDevice(nint source, ulong destination, long bytes) =>
        ThrowIfFailed(CudaApi.MemcpyHostToDeviceAsync(destination, source, (nuint)bytes, Value), "cuMemcpyHtoDAsync_v2");

    /// <summary>Copies all of <paramref name="source"/> and waits for this stream, which then has run the copy and all work queued before it.</summary>
    public void CopyHostToDeviceAndWait(ReadOnlySpan<float> source, ulong destination)
    {
        fixed (float* data = source)
        {
            CopyHostToDevice((nint)data, destination, (long)source.Length * sizeof(float));
            Synchronize();
        }
    }

    /// <summary>Fills all of <paramref name="destination"/> and waits for this stream, which then has run the copy and all work queued before it.</summary>
    public void CopyDeviceToHostAndWait(ulong source, Span<float> destination)
    {
        fixed (float* data = destination)
        {
            ThrowIfFailed(CudaApi.MemcpyDeviceToHostAsync((nint)data, source, (nuint)((long)destination.Length * sizeof(float)), Value), "cuMemcpyDtoHAsync_v2");
            Synchronize();
        }
    }

    public void CopyDeviceToDevice(ulong source, ulong destination, long bytes) =>
        ThrowIfFailed(CudaApi.MemcpyDeviceToDeviceAsync(destination, source, (nuint)bytes, Value), "cuMemcpyDtoDAsync_v2");

    /// <summary>Sets <paramref name="count"/> 32-bit words to <paramref name="bits"/> (a float's bits, say).</summary>
    public void Fill(ulong destination, uint bits, long count) =>
        ThrowIfFailed(CudaApi.MemsetD32Async(destination, bits, (nuint)count, Value), "cuMemsetD32Async");

    protected override CuResult Release(nint value) => CudaApi.StreamDestroy(value);
}

/// <summary>An event without timing: only for ordering streams and the host, whose waits sleep where the context's do.</summary>
internal sealed class CudaEvent(nint context, nint cuEvent) : DriverHandle(context, cuEvent)
{
    public static CudaEvent Create(CudaContext context)
    {
        var flags = CudaFlags.EventDisableTiming | (context.BlockingWaits ? CudaFlags.EventBlockingSync : 0);
        ThrowIfFailed(CudaApi.EventCreate(flags, out var cuEvent), "cuEventCreate");
        return new CudaEvent(context.Handle, cuEvent);
    }

    public void Record(CudaStream stream) => ThrowIfFailed(CudaApi.EventRecord(Value, stream.Value), "cuEventRecord");

    public void Synchronize() => ThrowIfFailed(CudaApi.EventSynchronize(Value), "cuEventSynchronize");

    protected override CuResult Release(nint value) => CudaApi.EventDestroy(value);
}

/// <summary>One device allocation; <see cref="Address"/> is its <c>CUdeviceptr</c>.</summary>
internal sealed class DeviceMemory(nint context, nint pointer, long bytes) : DriverHandle(context, pointer)
{
    public long Bytes { get; } = bytes;

    public ulong Address => (ulong)Value;

    public static DeviceMemory Allocate(CudaContext context, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ThrowIfFailed(CudaApi.MemAlloc((nuint)bytes, out var pointer), "cuMemAlloc_v2");
        return new DeviceMemory(context.Handle, (nint)pointer, bytes);
    }

    protected override CuResult Release(nint value) => CudaApi.MemFree((ulong)value);
}

/// <summary>A loaded module (a CUBIN or PTX image); its functions live as long as it does.</summary>
internal sealed unsafe class CudaModule(nint context, nint module) : DriverHandle(context, module)
{
    /// <summary>Loads an image; a PTX image that the driver's JIT fails to compile says why.</summary>
    public static CudaModule Load(CudaContext context, ReadOnlySpan<byte> image)
    {
        var status = CudaApi.ModuleLoadData(image, out var module, out var jitLog);
        if (status != CuResult.Success)
        {
            ThrowIfFailed(status, $"cuModuleLoadDataEx{(jitLog.Length > 0 ? $" (JIT log: {jitLog.Trim()})" : "")}");
        }

        return new CudaModule(context.Handle, module);
    }

    /// <summary>The kernel called <paramref name="name"/>; it lives as long as the module.</summary>
    public nint Function(string name)
    {
        ThrowIfFailed(CudaApi.ModuleGetFunction(Value, name, out var function), "cuModuleGetFunction");
        return function;
    }

    /// <summary>A one-dimensional launch; <paramref name="args"/> holds one pointer per kernel parameter (cuLaunchKernel's kernelParams).</summary>
    public void Launch(nint function, uint blocks, uint threads, CudaStream stream, void** args) =>
        ThrowIfFailed(CudaApi.LaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, stream.Value, args), "cuLaunchKernel");

    protected override CuResult Release(nint value) => CudaApi.ModuleUnload(value);
}
