namespace CatsDogs.Pipeline.Runs;

/// <summary>The machine's CPU, as Linux names it.</summary>
internal static class HostCpu
{
    private const string CpuInfo = "/proc/cpuinfo";

    /// <summary>The first "model name" of /proc/cpuinfo; "unknown" where there is none (ARM kernels, other systems).</summary>
    public static string Model { get; } = Read();

    private static string Read()
    {
        if (!File.Exists(CpuInfo))
        {
            return "unknown";
        }

        var line = File.ReadLines(CpuInfo).FirstOrDefault(entry => entry.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
    }
}
