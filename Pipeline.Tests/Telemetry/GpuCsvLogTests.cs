using CatsDogs.Telemetry.Gpu;

namespace CatsDogs.Tests.Telemetry;

public sealed class GpuCsvLogTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 1, 31, 12, 0, 0, 250, TimeSpan.FromHours(1));

    private readonly string _dir = Directory.CreateTempSubdirectory("catsdogs-gpucsv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Header_is_nvidia_smi_query_gpu_csv_header()
    {
        // What `nvidia-smi --query-gpu=timestamp,name,pci.bus_id,driver_version,pstate,pcie.link.gen.max,pcie.link.gen.current,
        // temperature.gpu,utilization.gpu,utilization.memory,memory.total,memory.free,memory.used --format=csv` prints first.
        Assert.Equal(
            "timestamp, name, pci.bus_id, driver_version, pstate, pcie.link.gen.max, pcie.link.gen.current, temperature.gpu, " +
            "utilization.gpu [%], utilization.memory [%], memory.total [MiB], memory.free [MiB], memory.used [MiB]",
            GpuCsvLog.Header);
    }

    [Fact]
    public void Row_has_nvidia_smi_value_formats()
    {
        Assert.Equal(
            "2025/01/31 12:00:00.250, NVIDIA H200, 00000000:19:00.0, 570.86.15, P0, 5, 4, 34, 97 %, 41 %, 143360 MiB, 102400 MiB, 40960 MiB",
            GpuCsvLog.FormatRow(FakeGpu.Sample(At)));
    }

    [Fact]
    public void Unsupported_readings_print_as_not_available()
    {
        var device = new GpuDevice(1, "NVIDIA A100-SXM4-40GB MIG 1g.5gb", "00000000:07:00.0", "535.104.05", pcieLinkGenerationMax: null);
        var sample = FakeGpu.Sample(At) with
        {
            Device = device, PerformanceState = null, PcieLinkGenerationCurrent = null, TemperatureCelsius = null,
            UtilizationGpuPercent = null, UtilizationMemoryPercent = null,
        };

        Assert.Equal(
            "2025/01/31 12:00:00.250, NVIDIA A100-SXM4-40GB MIG 1g.5gb, 00000000:07:00.0, 535.104.05, [N/A], [N/A], [N/A], [N/A], [N/A], [N/A], 143360 MiB, 102400 MiB, 40960 MiB",
            GpuCsvLog.FormatRow(sample));
    }

    [Fact]
    public void A_reopened_log_appends_without_a_second_header()
    {
        var path = Path.Combine(_dir, "gpu.csv");
        using (var log = GpuCsvLog.Open(path))
        {
            log.Append([FakeGpu.Sample(At)]);
        }

        using (var log = GpuCsvLog.Open(path))
        {
            log.Append([FakeGpu.Sample(At.AddSeconds(1)), FakeGpu.Sample(At.AddSeconds(1))]);
        }

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        Assert.Equal(GpuCsvLog.Header, lines[0]);
        Assert.StartsWith("2025/01/31 12:00:00.250, ", lines[1]);
        Assert.All(lines[2..], l => Assert.StartsWith("2025/01/31 12:00:01.250, ", l));
    }
}
