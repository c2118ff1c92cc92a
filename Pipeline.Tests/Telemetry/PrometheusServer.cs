using System.Text.Json;
using System.Text.RegularExpressions;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// A real Prometheus server (Debian's package, see scripts/install-test-deps.sh) on a loopback port
/// the system picks, with its own config and storage in a temp folder; killed and cleaned up on dispose.
/// </summary>
internal sealed partial class PrometheusServer : IAsyncDisposable
{
    /// <summary>A guard against a hang; Prometheus is ready in a second or two.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);

    private readonly ChildProcess _process;
    private readonly string _dir;

    private PrometheusServer(ChildProcess process, string dir)
    {
        _process = process;
        _dir = dir;
    }

    public HttpClient Http { get; } = new();

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) every <paramref name="scrapeInterval"/> as job <c>catsdogs</c>.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, TimeSpan scrapeInterval)
    {
        var dir = Directory.CreateTempSubdirectory("catsdogs-prometheus-").FullName;
        var config = Path.Combine(dir, "prometheus.yml");
        var seconds = $"{scrapeInterval.TotalSeconds:0.###}s";
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
            scrape_configs:
              - job_name: catsdogs
                static_configs:
                  - targets: ["{target}"]
            """);

        // Port 0, and the port it got read from its log: its listener logs the address it really bound,
        // and readiness is logged too, once the storage is open and the config loaded (info level, both).
        var process = ChildProcess.Start(
            RepoPaths.Tool("prometheus"),
            [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}", "--web.listen-address=127.0.0.1:0", "--log.level=info"],
            new Dictionary<string, string>());
        var server = new PrometheusServer(process, dir);
        try
        {
            var listening = await process.WaitForLineAsync(ListeningLine(), StartLimit);
            server.Http.BaseAddress = new Uri($"http://{listening.Groups["address"].Value}");
            await process.WaitForLineAsync(ReadyLine(), StartLimit);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>An instant query; returns the result vector (empty when the query matched nothing).</summary>
    public async Task<JsonElement[]> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus rejected '{promql}': {body}");
        }

        var data = json.RootElement.GetProperty("data");
        return data.GetProperty("resultType").GetString() == "vector"
            ? [.. data.GetProperty("result").EnumerateArray().Select(e => e.Clone())]
            : [data.GetProperty("result").Clone()];
    }

    /// <summary>Polls <paramref name="promql"/> until it returns something or <paramref name="timeout"/> passes.</summary>
    public async Task<JsonElement[]> QueryUntilAsync(string promql, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(promql);
            if (result.Length > 0 || DateTime.UtcNow > deadline)
            {
                return result;
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"msg=""Listening on"" address=(?<address>\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"msg=""Server is ready to receive web requests\.""")]
    private static partial Regex ReadyLine();
}
