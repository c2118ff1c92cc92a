using System.Net;
using CatsDogs.Telemetry;

namespace CatsDogs.Tests.Telemetry;

/// <summary>A telemetry session serving on a free loopback port, fed by <see cref="FakeGpu"/>, and an HTTP client for it.</summary>
internal sealed class LiveSession : IAsyncDisposable
{
    private LiveSession(TelemetrySession session, FakeGpu gpu, CapturingLogger log)
    {
        Session = session;
        Gpu = gpu;
        Log = log;
        Http = new HttpClient { BaseAddress = new Uri($"http://{session.MetricsEndpoint}") };
    }

    public TelemetrySession Session { get; }

    public FakeGpu Gpu { get; }

    public CapturingLogger Log { get; }

    public HttpClient Http { get; }

    public static async Task<LiveSession> StartAsync(TimeSpan? gpuPeriod = null)
    {
        var gpu = new FakeGpu();
        var log = new CapturingLogger();
        var session = await TelemetrySession.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), log, () => (gpu, ""), gpuPeriod ?? TimeSpan.FromMilliseconds(50), CancellationToken.None);
        return new LiveSession(session, gpu, log);
    }

    /// <summary>Scrapes until <paramref name="ready"/> holds: the GPU sampler and the exporter's response cache both run on their own clocks.</summary>
    public async Task<string> ScrapeUntilAsync(Func<string, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var text = await Http.GetStringAsync("/metrics");
            if (ready(text) || DateTime.UtcNow > deadline)
            {
                return text;
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Session.DisposeAsync();
    }
}
