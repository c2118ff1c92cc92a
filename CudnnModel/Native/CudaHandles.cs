using System.Runtime.InteropServices;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Base of the driver-object handles: release makes the owning context current first, so a
/// handle can be disposed from any thread; it never throws, as a release may run on the finalizer thread. A failed create never yields a handle (the status is
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

/// <summary>A stream created non-blocking, so it never waits on the legacy default stream.</summary>
internal sealed unsafe class CudaStream(nint context, nint stream) : DriverHandle(context, stream)
{
    public static CudaStream Create(CudaContext context)
    {
        nint stream;
        ThrowIfFailed(CudaNative.cuStreamCreate(&stream, CudaFlags.StreamNonBlocking));
        return new CudaStream(context.Handle, stream);
    }

    public void Synchronize() => ThrowIfFailed(CudaNative.cuStreamSynchronize(Value));

    /// <summary>Work queued on this stream after the call waits for <paramref name="cuEvent"/>; the host does not wait.</summary>
    public void Wait(CudaEvent cuEvent) => ThrowIfFailed(CudaNative.cuStreamWaitEvent(Value, cuEvent.Value, 0));

    protected override CuResult Release(nint value) => CudaNative.cuStreamDestroy_v2(value);
}

/// <summary>An event without timing: only for ordering streams and the host, whose waits sleep where the context's do.</summary>
internal sealed unsafe class CudaEvent(nint context, nint cuEvent) : DriverHandle(context, cuEvent)
{
    public static CudaEvent Create(CudaContext context)
    {
        nint cuEvent;
        ThrowIfFailed(CudaNative.cuEventCreate(&cuEvent, CudaFlags.EventDisableTiming | (context.BlockingWaits ? CudaFlags.EventBlockingSync : 0)));
        return new CudaEvent(context.Handle, cuEvent);
    }

    public void Record(CudaStream stream) => ThrowIfFailed(CudaNative.cuEventRecord(Value, stream.Value));

    public void Synchronize() => ThrowIfFailed(CudaNative.cuEventSynchronize(Value));

    protected override CuResult Release(nint value) => CudaNative.cuEventDestroy_v2(value);
}

/// <summary>One device allocation; <see cref="Address"/> is its <c>CUdeviceptr</c>.</summary>
internal sealed unsafe class DeviceMemory(nint context, nint pointer, long bytes) : DriverHandle(context, pointer)
{
    public long Bytes { get; } = bytes;

    public ulong Address => (ulong)Value;

    public static DeviceMemory Allocate(CudaContext context, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ulong pointer;
        ThrowIfFailed(CudaNative.cuMemAlloc_v2(&pointer, (nuint)bytes));
        return new DeviceMemory(context.Handle, (nint)pointer, bytes);
    }

    protected override CuResult Release(nint value) => CudaNative.cuMemFree_v2((ulong)value);
}

/// <summary>A loaded module (a CUBIN or PTX image); its functions live as long as it does.</summary>
internal sealed unsafe class CudaModule(nint context, nint module) : DriverHandle(context, module)
{
    /// <summary>Loads an image, passing a buffer for the JIT's error log so that a PTX failure says why.</summary>
    public static CudaModule Load(CudaContext context, ReadOnlySpan<byte> image)
    {
        const int LogBytes = 8192;
        var log = stackalloc byte[LogBytes];
        log[0] = 0;
        var options = stackalloc CuJitOption[] { CuJitOption.ErrorLogBuffer, CuJitOption.ErrorLogBufferSizeBytes };
        var values = stackalloc void*[] { log, (void*)LogBytes };
        nint module;
        CuResult status;
        fixed (byte* bytes = image)
        {
            status = CudaNative.cuModuleLoadDataEx(&module, bytes, 2, options, values);
        }

        if (status != CuResult.Success)
        {
            var jit = Marshal.PtrToStringUTF8((nint)log) ?? "";
            ThrowIfFailed(status, $"cuModuleLoadDataEx{(jit.Length > 0 ? $" (JIT log: {jit.Trim()})" : "")}");
        }

        return new CudaModule(context.Handle, module);
    }

    /// <summary>The kernel called <paramref name="name"/>; it lives as long as the module.</summary>
    public nint Function(string name)
    {
        nint function;
        ThrowIfFailed(CudaNative.cuModuleGetFunction(&function, Value, name));
        return function;
    }

    /// <summary>A one-dimensional launch; <paramref name="args"/> holds one pointer per kernel parameter (cuLaunchKernel's kernelParams).</summary>
    public void Launch(nint function, uint blocks, uint threads, nint stream, void** args) =>
        ThrowIfFailed(CudaNative.cuLaunchKernel(function, blocks, 1, 1, threads, 1, 1, 0, stream, args, null));

    protected override CuResult Release(nint value) => CudaNative.cuModuleUnload(value);
}
