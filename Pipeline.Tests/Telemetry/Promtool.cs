using System.Diagnostics;

namespace CatsDogs.Tests.Telemetry;

/// <summary><c>promtool check metrics</c>, the Prometheus project's own linter for the text exposition format.</summary>
internal static class Promtool
{
    /// <summary>Exit code (0 clean, 3 lint findings, 1 unparsable) and every line it printed.</summary>
    public static async Task<(int ExitCode, string[] Findings)> CheckMetricsAsync(string exposition)
    {
        var start = new ProcessStartInfo(RepoPaths.Tool("promtool"))
        {
            ArgumentList = { "check", "metrics" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var lines = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (process.ExitCode, lines);
    }
}
