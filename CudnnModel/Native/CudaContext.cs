using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: the primary context of one device, retained for the object's lifetime, and what the
/// device is. A context is current per OS thread and .NET moves work between threads (await, the
/// thread pool), so every entry point calls <see cref="MakeCurrent"/>, which costs a thread-static
/// compare when the context already is current.
/// </summary>
internal sealed class CudaContext : IDisposable
{
    [ThreadStatic]
    private static nint t_current;

    private nint _handle;

    private CudaContext(int device, nint handle, bool blockingWaits)
    {
        Device = device;
        BlockingWaits = blockingWaits;
        _handle = handle;
        MakeCurrent();
        ThrowIfFailed(CudaApi.GetDeviceName(device, out var name), "cuDeviceGetName");
        Name = name;
        ComputeCapability = (Attribute(CuDeviceAttribute.ComputeCapabilityMajor), Attribute(CuDeviceAttribute.ComputeCapabilityMinor));
        Multiprocessors = Attribute(CuDeviceAttribute.MultiprocessorCount);
        ThrowIfFailed(CudaApi.GetDeviceTotalMemory(device, out var bytes), "cuDeviceTotalMem_v2");
        TotalMemoryBytes = (long)bytes;
        ThrowIfFailed(CudaApi.GetDriverVersion(out var version), "cuDriverGetVersion");
        DriverVersion = version;
    }

    public int Device { get; }

    public string Name { get; }

    public (int Major, int Minor) ComputeCapability { get; }

    public int Multiprocessors { get; }

    public long TotalMemoryBytes { get; }

    /// <summary>The CUDA version the driver supports, e.g. 13000 for 13.0.</summary>
    public int DriverVersion { get; }

    public nint Handle => _handle;

    /// <summary>Whether this process asked that a host thread waiting for the device sleep (the default) rather than spin (CATSDOGS_CUDA_SPIN=1).</summary>
    public bool BlockingWaits { get; }

    /// <summary>
    /// Initialises the driver and retains device <paramref name="ordinal"/>'s primary context
    /// (never cuCtxCreate, whose signature changed in CUDA 13). No device is a
    /// <see cref="CudaException"/> with CUDA_ERROR_NO_DEVICE.
    /// </summary>
    public static CudaContext Open(int ordinal)
    {
        var initialised = CudaApi.Init();
        if (initialised == CuResult.NoDevice)
        {
            throw NoDevice("cuInit");
        }

        ThrowIfFailed(initialised, "cuInit");
        ThrowIfFailed(CudaApi.GetDeviceCount(out var count), "cuDeviceGetCount");
        if (count == 0)
        {
            throw NoDevice("cuDeviceGetCount");
        }

        ThrowIfFailed(CudaApi.GetDevice(ordinal, out var device), "cuDeviceGet");
        // A wait for the device (the upload event each step, the loss every N steps) would otherwise
        // spin a core that the JPEG decoders need. Only a preference: where a driver refuses it (one
        // older than CUDA 11 with the context already active), waits spin as before. A blocking wait
        // sleeps on an OS event from the driver, which a sandbox's GPU proxy might not deliver:
        // CATSDOGS_CUDA_SPIN=1 keeps the driver's default for such a machine (automatic, which
        // spins while a process has fewer active contexts than the machine has cores). An event wait
        // follows its event's own flag, so CudaEvent asks BlockingWaits for the same choice.
        var blockingWaits = Environment.GetEnvironmentVariable("CATSDOGS_CUDA_SPIN") != "1";
        if (blockingWaits)
        {
            _ = CudaApi.SetPrimaryContextFlags(device, CudaFlags.ContextBlockingSync);
        }

        ThrowIfFailed(CudaApi.RetainPrimaryContext(device, out var context), "cuDevicePrimaryCtxRetain");
        return new CudaContext(device, context, blockingWaits);
    }

    /// <summary>Makes the context current on the calling thread if it is not already.</summary>
    public void MakeCurrent() => MakeCurrent(_handle);

    public static void MakeCurrent(nint context) => ThrowIfFailed(SetCurrent(context), "cuCtxSetCurrent");

    /// <summary>For releasing, which must not throw (it may run on the finalizer thread): false if the context cannot be made current.</summary>
    public static bool TryMakeCurrent(nint context) => SetCurrent(context) == CuResult.Success;

    private static CuResult SetCurrent(nint context)
    {
        if (t_current == context)
        {
            return CuResult.Success;
        }

        var status = CudaApi.SetCurrentContext(context);
        if (status == CuResult.Success)
        {
            t_current = context;
        }

        return status;
    }

    /// <summary>Waits for all work on every stream of the context.</summary>
    public void Synchronize()
    {
        MakeCurrent();
        ThrowIfFailed(CudaApi.SynchronizeContext(), "cuCtxSynchronize");
    }

    public void Dispose()
    {
        if (_handle == 0)
        {
            return;
        }

        MakeCurrent();
        _ = CudaApi.SynchronizeContext();
        _ = CudaApi.ReleasePrimaryContext(Device);
        _ = CudaApi.SetCurrentContext(0);
        t_current = 0;
        _handle = 0;
    }

    /// <summary>CUDA_ERROR_NO_DEVICE, with the setting that commonly causes it when it is set.</summary>
    private static CudaException NoDevice(string call)
    {
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        return new CudaException((int)CuResult.NoDevice, $"{call}: the CUDA driver loaded but sees no GPU" +
            (visible is null ? "" : $" (CUDA_VISIBLE_DEVICES is '{visible}', which hides every GPU it does not name)"));
    }

    private int Attribute(CuDeviceAttribute attribute)
    {
        ThrowIfFailed(CudaApi.GetDeviceAttribute(Device, attribute, out var value), "cuDeviceGetAttribute");
        return value;
    }
}
