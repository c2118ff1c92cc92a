using System.Diagnostics.Metrics;

namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// GPU instruments, per the OpenTelemetry hardware semantic conventions where they name one
/// (<c>hw.gpu.utilization</c>, <c>hw.gpu.memory.*</c>), with <c>hw.id</c>/<c>hw.name</c> attributes.
/// They are created whether or not NVML is present; without it <paramref name="latest"/> yields no
/// samples and the series are simply absent. Callbacks run on scrape threads and read the sampler's
/// immutable snapshot, never NVML.
/// </summary>
internal sealed class GpuMetrics
{
    public GpuMetrics(IMeterFactory meterFactory, Func<IReadOnlyList<GpuSample>> latest)
    {
        var meter = meterFactory.Create(CatsDogsMeter.Name);
        meter.CreateObservableGauge("hw.gpu.utilization",
            () => Observe(latest(), s => s.UtilizationGpuPercent / 100.0),
            unit: "1", description: "Fraction of the last sample period the GPU was running a kernel.");
        meter.CreateObservableGauge("hw.gpu.memory.utilization",
            () => Observe(latest(), s => s.UtilizationMemoryPercent / 100.0),
            unit: "1", description: "Fraction of the last sample period GPU memory was being read or written.");
        meter.CreateObservableUpDownCounter("hw.gpu.memory.usage",
            () => Observe(latest(), s => (double)s.MemoryUsedBytes),
            unit: "By", description: "GPU memory in use.");
        meter.CreateObservableUpDownCounter("hw.gpu.memory.limit",
            () => Observe(latest(), s => (double)s.MemoryTotalBytes),
            unit: "By", description: "GPU memory installed.");
        meter.CreateObservableGauge("hw.gpu.temperature",
            () => Observe(latest(), s => s.TemperatureCelsius),
            unit: "Cel", description: "GPU die temperature.");
        meter.CreateObservableGauge("hw.gpu.power",
            () => Observe(latest(), s => s.PowerWatts),
            unit: "W", description: "GPU board power draw (averaged over 1 s on Ampere and newer).");
        meter.CreateObservableGauge("hw.gpu.clock.sm",
            () => Observe(latest(), s => s.SmClockHertz),
            unit: "Hz", description: "Streaming multiprocessor clock.");
        meter.CreateObservableGauge("hw.gpu.pcie.throughput",
            () => ObservePcie(latest()),
            unit: "By/s", description: "PCIe traffic, by direction as seen from the GPU, over a 20 ms window.");
    }

    private static IEnumerable<Measurement<double>> Observe(IReadOnlyList<GpuSample> samples, Func<GpuSample, double?> read)
    {
        foreach (var sample in samples)
        {
            if (read(sample) is { } value)
            {
                yield return new Measurement<double>(value, sample.Device.Tags);
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObservePcie(IReadOnlyList<GpuSample> samples)
    {
        foreach (var sample in samples)
        {
            if (sample.PcieReceiveBytesPerSecond is { } receive)
            {
                yield return new Measurement<double>(receive, sample.Device.ReceiveTags);
            }

            if (sample.PcieTransmitBytesPerSecond is { } transmit)
            {
                yield return new Measurement<double>(transmit, sample.Device.TransmitTags);
            }
        }
    }
}
