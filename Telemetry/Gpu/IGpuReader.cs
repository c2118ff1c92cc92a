namespace CatsDogs.Telemetry.Gpu;

/// <summary>Reads every GPU once. NVML in production (<see cref="NvmlGpuReader"/>); tests feed fixed samples.</summary>
internal interface IGpuReader : IDisposable
{
    /// <summary>One sample per device, stamped <paramref name="now"/>; throws when the devices cannot be read any more.</summary>
    IReadOnlyList<GpuSample> ReadAll(DateTimeOffset now);
}
