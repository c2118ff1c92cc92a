using System.Diagnostics;

namespace CatsDogs.Tests.Telemetry;

/// <summary><c>promtool</c>, the Prometheus project's own checker: exposition-format lint and config validation.</summary>
internal static class Promtool
{
    /// <summary>Exit code (0 clean, 3 lint findings, 1 unparsable) and every line it printed.</summary>
    public static Task<(int ExitCode, string[] Findings)> CheckMetricsAsync(string exposition) => RunAsync(exposition, "check", "metrics");

    /// <summary>promtool with <paramref name="args"/> and no input.</summary>
    public static Task<(int ExitCode, string[] Output)> RunAsync(params string[] args) => RunAsync("", args);

    private static async Task<(int ExitCode, string[] Output)> RunAsync(string input, params string[] args)
    {
        var start = new ProcessStartInfo(RepoPaths.Tool("promtool"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var lines = (await stdout + await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (process.ExitCode, lines);
    }
}
