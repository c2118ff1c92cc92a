using CatsDogs.Telemetry.Nvml;

namespace CatsDogs.Telemetry.Gpu;

/// <summary>Reads GPUs through NVML. Static facts are read once at open, the rest at every <see cref="ReadAll"/>.</summary>
internal sealed class NvmlGpuReader : IGpuReader
{
    private readonly NvmlSession _session;
    private readonly GpuDevice[] _devices;

    private NvmlGpuReader(NvmlSession session, GpuDevice[] devices)
    {
        _session = session;
        _devices = devices;
    }

    /// <summary>Opens NVML and lists the GPUs; on failure returns null and the reason, in NVML's or the loader's words.</summary>
    public static NvmlGpuReader? TryOpen(out string reason)
    {
        NvmlSession? session = null;
        try
        {
            session = NvmlSession.Open();
            if (session.Devices.Count == 0)
            {
                session.Dispose();
                reason = $"NVML {session.DriverVersion} sees no GPU";
                return null;
            }

            var devices = session.Devices
                .Select(d => new GpuDevice((int)d.Index, d.Name, d.PciBusId, session.DriverVersion, d.PcieLinkGeneration(max: true)))
                .ToArray();
            reason = "";
            return new NvmlGpuReader(session, devices);
        }
        catch (NvmlException e)
        {
            session?.Dispose();
            reason = e.Message;
            return null;
        }
    }

    public IReadOnlyList<GpuSample> ReadAll(DateTimeOffset now)
    {
        var samples = new GpuSample[_devices.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            var nvml = _session.Devices[i];
            var utilization = nvml.UtilizationPercent;
            var memory = nvml.MemoryBytes;
            samples[i] = new GpuSample(
                _devices[i],
                now,
                nvml.PerformanceState,
                nvml.PcieLinkGeneration(max: false),
                nvml.TemperatureCelsius,
                utilization?.Gpu,
                utilization?.Memory,
                memory.Total,
                memory.Free,
                memory.Used,
                nvml.PowerWatts,
                nvml.SmClockHertz,
                nvml.PcieBytesPerSecond(receive: true),
                nvml.PcieBytesPerSecond(receive: false));
        }

        return samples;
    }

    public void Dispose() => _session.Dispose();
}
