using System.Globalization;
using System.Text;

namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// <c>runs/&lt;name&gt;/gpu.csv</c>: the file the original author got from
/// <c>nvidia-smi --query-gpu=timestamp,name,pci.bus_id,driver_version,pstate,pcie.link.gen.max,pcie.link.gen.current,temperature.gpu,utilization.gpu,utilization.memory,memory.total,memory.free,memory.used --format=csv -l 1</c>,
/// same header, same value formats, filled from NVML. A resumed run appends to the file it finds.
/// Threading: only the sampler thread writes; each row is flushed so a crash loses at most the current second.
/// </summary>
internal sealed class GpuCsvLog : IDisposable
{
    public const string Header =
        "timestamp, name, pci.bus_id, driver_version, pstate, pcie.link.gen.max, pcie.link.gen.current, temperature.gpu, " +
        "utilization.gpu [%], utilization.memory [%], memory.total [MiB], memory.free [MiB], memory.used [MiB]";

    /// <summary>What nvidia-smi prints for a reading the board does not support.</summary>
    private const string NotAvailable = "[N/A]";

    private const ulong MiB = 1024 * 1024;

    private readonly StreamWriter _writer;

    /// <summary>Writes rows to <paramref name="stream"/>, after the header when <paramref name="writeHeader"/>; owns the stream.</summary>
    internal GpuCsvLog(Stream stream, bool writeHeader)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true, NewLine = "\n" };
        if (writeHeader)
        {
            _writer.WriteLine(Header);
        }
    }

    /// <summary>Opens <paramref name="path"/> for appending and writes the header if the file is new or empty.</summary>
    public static GpuCsvLog Open(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        try
        {
            return new GpuCsvLog(stream, writeHeader: stream.Length == 0);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public void Append(IReadOnlyList<GpuSample> samples)
    {
        foreach (var sample in samples)
        {
            _writer.WriteLine(FormatRow(sample));
        }
    }

    /// <summary>One row as nvidia-smi writes it, e.g. <c>2025/01/31 12:00:00.250, NVIDIA H200, 00000000:19:00.0, 570.86.15, P0, 5, 5, 34, 97 %, 41 %, 143771 MiB, 100000 MiB, 43771 MiB</c>.</summary>
    public static string FormatRow(GpuSample s)
    {
        var device = s.Device;
        return string.Join(", ",
            s.Timestamp.ToString("yyyy/MM/dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            device.Name,
            device.PciBusId,
            device.DriverVersion,
            s.PerformanceState is { } p ? "P" + p.ToString(CultureInfo.InvariantCulture) : NotAvailable,
            Plain(device.PcieLinkGenerationMax),
            Plain(s.PcieLinkGenerationCurrent),
            Plain(s.TemperatureCelsius),
            Percent(s.UtilizationGpuPercent),
            Percent(s.UtilizationMemoryPercent),
            Mebibytes(s.MemoryTotalBytes),
            Mebibytes(s.MemoryFreeBytes),
            Mebibytes(s.MemoryUsedBytes));
    }

    public void Dispose() => _writer.Dispose();

    private static string Plain(uint? value) => value?.ToString(CultureInfo.InvariantCulture) ?? NotAvailable;

    private static string Percent(uint? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) + " %" : NotAvailable;

    private static string Mebibytes(ulong bytes) => (bytes / MiB).ToString(CultureInfo.InvariantCulture) + " MiB";
}
