using System.Diagnostics.Metrics;

namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// GPU instruments. Those the OpenTelemetry hardware semantic conventions define keep their names
/// and meaning (<c>hw.gpu.utilization</c>; <c>hw.gpu.memory.usage</c>, <c>.limit</c> and
/// <c>.utilization</c>, the fraction of memory in use), with the required <c>hw.type = gpu</c> and
/// <c>hw.id</c>/<c>hw.name</c>. What NVML reads beyond them is ours, under <c>catsdogs.gpu.*</c>: the
/// memory controller's busy fraction, temperature, power, SM clock and PCIe throughput. The
/// conventions' <c>hw.gpu.io</c> is a byte count, and NVML gives PCIe traffic only as a rate over a
/// 20 ms window, which no honest count can be summed from.
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
            () => Observe(latest(), s => s.MemoryTotalBytes == 0 ? null : (double)s.MemoryUsedBytes / s.MemoryTotalBytes),
            unit: "1", description: "Fraction of GPU memory in use.");
        meter.CreateObservableUpDownCounter("hw.gpu.memory.usage",
            () => Observe(latest(), s => (double)s.MemoryUsedBytes),
            unit: "By", description: "GPU memory in use.");
        meter.CreateObservableUpDownCounter("hw.gpu.memory.limit",
            () => Observe(latest(), s => (double)s.MemoryTotalBytes),
            unit: "By", description: "GPU memory installed.");
        meter.CreateObservableGauge("catsdogs.gpu.memory.busy",
            () => Observe(latest(), s => s.UtilizationMemoryPercent / 100.0),
            unit: "1", description: "Fraction of the last sample period GPU memory was being read or written (NVML's memory utilization).");
        meter.CreateObservableGauge("catsdogs.gpu.temperature",
            () => Observe(latest(), s => s.TemperatureCelsius),
            unit: "Cel", description: "GPU die temperature.");
        meter.CreateObservableGauge("catsdogs.gpu.power",
            () => Observe(latest(), s => s.PowerWatts),
            unit: "W", description: "GPU board power draw (averaged over 1 s on Ampere and newer).");
        meter.CreateObservableGauge("catsdogs.gpu.clock.sm",
            () => Observe(latest(), s => s.SmClockHertz),
            unit: "Hz", description: "Streaming multiprocessor clock.");
        meter.CreateObservableGauge("catsdogs.gpu.pcie.throughput",
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
