using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Telemetry.Nvml;

/// <summary>
/// Layer 3: one <c>nvmlInit_v2</c> ... <c>nvmlShutdown</c> pair (NVML ref-counts them, so sessions may
/// overlap) and the devices it sees. Device handles are valid only until <see cref="Dispose"/>.
/// Threading: NVML itself is thread-safe; this type adds no state after construction but the disposed flag.
/// </summary>
internal sealed class NvmlSession : IDisposable
{
    private int _disposed;

    private NvmlSession(string driverVersion, IReadOnlyList<NvmlDevice> devices)
    {
        DriverVersion = driverVersion;
        Devices = devices;
    }

    public string DriverVersion { get; }

    /// <summary>In NVML index order, which need not match CUDA's device order (compare PCI bus ids for that).</summary>
    public IReadOnlyList<NvmlDevice> Devices { get; }

    /// <summary>Loads and initializes NVML; throws <see cref="NvmlException"/> saying why when it cannot.</summary>
    public static NvmlSession Open()
    {
        NvmlLibrary.EnsureLoaded();
        NvmlException.ThrowIfFailed(NvmlApi.Init());
        try
        {
            NvmlException.ThrowIfFailed(NvmlApi.GetDriverVersion(out var driverVersion));
            NvmlException.ThrowIfFailed(NvmlApi.GetDeviceCount(out var count));
            var devices = new NvmlDevice[count];
            for (uint i = 0; i < count; i++)
            {
                NvmlException.ThrowIfFailed(NvmlApi.GetDeviceHandle(i, out var handle));
                devices[i] = new NvmlDevice(handle, i);
            }

            return new NvmlSession(driverVersion, devices);
        }
        catch
        {
            NvmlApi.Shutdown();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // A failed shutdown leaves nothing to clean up on our side; the status would only be noise at exit.
            NvmlApi.Shutdown();
        }
    }
}
