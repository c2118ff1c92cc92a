using System.Text.RegularExpressions;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// Where a `catsdogs` child serves /metrics. Tests start it on port 0 and read back the port the system
/// gave it: a port the test picked and handed over could be taken by another process in between.
/// </summary>
internal static partial class MetricsAddress
{
    /// <summary>For --metrics-listen: loopback, on a port the system picks.</summary>
    public const string AnyPort = "127.0.0.1:0";

    /// <summary>host:port, from the line the app logs once its endpoint is bound ("Metrics at http://127.0.0.1:PORT/metrics").</summary>
    public static async Task<string> OfAsync(ChildProcess app) =>
        (await app.WaitForLineAsync(Logged(), TimeSpan.FromMinutes(2))).Groups["address"].Value;

    [GeneratedRegex(@"^Metrics at http://(?<address>[^/\s]+)/metrics$")]
    private static partial Regex Logged();
}
