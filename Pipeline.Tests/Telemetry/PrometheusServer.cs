using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// A real Prometheus server (Debian's package, see scripts/install-test-deps.sh) on a free loopback
/// port, with its own config and storage in a temp folder; killed and cleaned up on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private PrometheusServer(Process process, string dir, Uri address)
    {
        _process = process;
        _dir = dir;
        Http = new HttpClient { BaseAddress = address };
    }

    public HttpClient Http { get; }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) every <paramref name="scrapeInterval"/> as job <c>catsdogs</c>.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, TimeSpan scrapeInterval)
    {
        var binary = RepoPaths.Tool("prometheus");
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
        int port = FreeLoopbackPort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList =
            {
                $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { errors.Enqueue(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new PrometheusServer(process, dir, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await server.WaitReadyAsync(() => string.Join('\n', errors));
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
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task WaitReadyAsync(Func<string> errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}: {errors()}");
            }

            try
            {
                using var response = await Http.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus was not ready within 30 s: {errors()}");
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
