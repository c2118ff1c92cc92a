namespace CatsDogs.Telemetry.Nvml;

/// <summary>
/// Layer 3: one GPU as NVML sees it. Required readings throw <see cref="NvmlException"/>; optional
/// ones (power, clocks, PCIe, P-state, link generation) are null where the board does not support them.
/// Units are converted to SI here, once: bytes, watts, hertz, bytes per second, ratios 0..1.
/// </summary>
internal readonly struct NvmlDevice(nint handle, uint index)
{
    public uint Index { get; } = index;

    public string Name
    {
        get
        {
            NvmlException.ThrowIfFailed(NvmlApi.GetName(handle, out var name));
            return name;
        }
    }

    public string PciBusId
    {
        get
        {
            NvmlException.ThrowIfFailed(NvmlApi.GetPciBusId(handle, out var busId));
            return busId;
        }
    }

    /// <summary>Percent of the last sample period the GPU, and its memory, were busy; null on MIG-enabled GPUs.</summary>
    public (uint Gpu, uint Memory)? UtilizationPercent =>
        NvmlException.IsSupported(NvmlApi.GetUtilization(handle, out var percent)) ? (percent.gpu, percent.memory) : null;

    public (ulong Total, ulong Free, ulong Used) MemoryBytes
    {
        get
        {
            NvmlException.ThrowIfFailed(NvmlApi.GetMemory(handle, out var bytes));
            return bytes;
        }
    }

    public uint? TemperatureCelsius =>
        NvmlException.IsSupported(NvmlApi.GetTemperatureCelsius(handle, out var celsius)) ? celsius : null;

    public double? PowerWatts =>
        NvmlException.IsSupported(NvmlApi.GetPowerMilliwatts(handle, out var milliwatts)) ? milliwatts / 1000.0 : null;

    public double? SmClockHertz =>
        NvmlException.IsSupported(NvmlApi.GetSmClockMegahertz(handle, out var megahertz)) ? megahertz * 1e6 : null;

    /// <summary>NVML reports KB/s (1024 bytes); the call waits out a 20 ms window, so only the sampler calls it.</summary>
    public double? PcieBytesPerSecond(bool receive) =>
        NvmlException.IsSupported(NvmlApi.GetPcieThroughputKilobytes(handle, receive, out var kilobytes)) ? kilobytes * 1024.0 : null;

    /// <summary>0 for P0 (most performance) to 15; null when unknown.</summary>
    public int? PerformanceState
    {
        get
        {
            // NVML_PSTATE_UNKNOWN is 32; anything above P15 means the same.
            const int LastKnown = 15;
            return NvmlException.IsSupported(NvmlApi.GetPerformanceState(handle, out var pState)) && pState <= LastKnown ? pState : null;
        }
    }

    public uint? PcieLinkGeneration(bool max) =>
        NvmlException.IsSupported(NvmlApi.GetPcieLinkGeneration(handle, max, out var generation)) ? generation : null;
}
