namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// What does not change while a GPU runs: identity, driver, maximum link generation. The metric
/// attributes are built here once so that a scrape allocates nothing per device.
/// </summary>
internal sealed class GpuDevice
{
    public GpuDevice(int index, string name, string pciBusId, string driverVersion, uint? pcieLinkGenerationMax)
    {
        Index = index;
        Name = name;
        PciBusId = pciBusId;
        DriverVersion = driverVersion;
        PcieLinkGenerationMax = pcieLinkGenerationMax;
        // hw.id must be unique on the host and stable across restarts: the PCI bus id is both, the NVML index neither.
        Tags = [new("hw.id", pciBusId), new("hw.name", name), new("hw.type", "gpu")];
        ReceiveTags = [.. Tags, new("network.io.direction", "receive")];
        TransmitTags = [.. Tags, new("network.io.direction", "transmit")];
    }

    public int Index { get; }

    public string Name { get; }

    /// <summary>As nvidia-smi prints it, e.g. <c>00000000:01:00.0</c>.</summary>
    public string PciBusId { get; }

    public string DriverVersion { get; }

    public uint? PcieLinkGenerationMax { get; }

    /// <summary><c>hw.id</c>, <c>hw.name</c> and <c>hw.type</c>, per the OpenTelemetry hardware semantic conventions.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    public KeyValuePair<string, object?>[] ReceiveTags { get; }

    public KeyValuePair<string, object?>[] TransmitTags { get; }
}
