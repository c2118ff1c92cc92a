namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// One reading of one GPU, in SI units (bytes, watts, hertz, bytes per second). Null where the board
/// does not support the reading: the metric is then absent and gpu.csv says <c>[N/A]</c>, as nvidia-smi does.
/// </summary>
internal sealed record GpuSample(
    GpuDevice Device,
    DateTimeOffset Timestamp,
    int? PerformanceState,
    uint? PcieLinkGenerationCurrent,
    uint? TemperatureCelsius,
    uint? UtilizationGpuPercent,
    uint? UtilizationMemoryPercent,
    ulong MemoryTotalBytes,
    ulong MemoryFreeBytes,
    ulong MemoryUsedBytes,
    double? PowerWatts,
    double? SmClockHertz,
    double? PcieReceiveBytesPerSecond,
    double? PcieTransmitBytesPerSecond);
