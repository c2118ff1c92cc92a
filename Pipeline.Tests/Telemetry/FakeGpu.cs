using CatsDogs.Telemetry.Gpu;

namespace CatsDogs.Tests.Telemetry;

/// <summary>A GPU as NVML would report it, without NVML: fixed readings, and a switch to make reading fail.</summary>
internal sealed class FakeGpu : IGpuReader
{
    public static readonly GpuDevice H200 = new(0, "NVIDIA H200", "00000000:19:00.0", "570.86.15", pcieLinkGenerationMax: 5);

    private volatile string? _failure;

    public int Reads { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>A fully supported sample: every reading present, memory 40 GiB used of 140 GiB.</summary>
    public static GpuSample Sample(DateTimeOffset timestamp) => new(
        H200, timestamp, PerformanceState: 0, PcieLinkGenerationCurrent: 4, TemperatureCelsius: 34,
        UtilizationGpuPercent: 97, UtilizationMemoryPercent: 41,
        MemoryTotalBytes: 140UL << 30, MemoryFreeBytes: 100UL << 30, MemoryUsedBytes: 40UL << 30,
        PowerWatts: 312.5, SmClockHertz: 1.98e9, PcieReceiveBytesPerSecond: 2.5e9, PcieTransmitBytesPerSecond: 1.25e8);

    public void FailWith(string reason) => _failure = reason;

    public IReadOnlyList<GpuSample> ReadAll(DateTimeOffset now)
    {
        if (_failure is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        Reads++;
        return [Sample(now)];
    }

    public void Dispose() => Disposed = true;
}
