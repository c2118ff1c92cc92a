using System.Net;
using System.Net.Sockets;
using CatsDogs.Telemetry;
using Microsoft.Extensions.Logging;

namespace CatsDogs.Tests.Telemetry;

[Collection(EndpointCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Scrape_is_valid_exposition_and_our_families_lint_clean()
    {
        await using var live = await LiveSession.StartAsync();
        LiveSession.RecordEveryInstrument(live.Session);
        var text = await live.ScrapeUntilAsync(t => t.Contains("hw_gpu_utilization{"));

        // Runtime and process metric names are upstream's (dotnet_timer_count, process_thread_count trip the
        // "_count" lint); they must still parse. Ours must lint clean.
        var (all, allFindings) = await Promtool.CheckMetricsAsync(text);
        Assert.True(all is 0 or 3, $"promtool could not parse the scrape: {string.Join('\n', allFindings)}");
        Assert.DoesNotContain(allFindings, f => Exposition.IsCatsDogs(f.Split(' ')[0]));

        var ours = string.Join('\n', Exposition.Parse(text).Values.Where(f => Exposition.IsCatsDogs(f.Name)).SelectMany(f => f.Lines)) + "\n";
        var (exit, findings) = await Promtool.CheckMetricsAsync(ours);
        Assert.True(exit == 0, string.Join('\n', findings));
    }

    [Fact]
    public async Task Includes_runtime_and_process_metrics()
    {
        await using var live = await LiveSession.StartAsync();
        var families = Exposition.Parse(await live.ScrapeUntilAsync(_ => true));
        Assert.Equal("gauge", families["process_memory_usage_bytes"].Type);
        Assert.Equal("counter", families["dotnet_gc_heap_total_allocated_bytes_total"].Type);
    }

    [Fact]
    public async Task Checkpoint_failures_read_zero_before_any_failure()
    {
        await using var live = await LiveSession.StartAsync();
        var text = await live.ScrapeUntilAsync(t => t.Contains("catsdogs_trainer_checkpoint_failures_total{"));
        Assert.Contains("catsdogs_trainer_checkpoint_failures_total{otel_scope_name=\"CatsDogs\"} 0\n", text);
        Assert.DoesNotContain("catsdogs_trainer_checkpoint_writes_total", text);
    }

    [Fact]
    public async Task Healthz_answers_ok()
    {
        await using var live = await LiveSession.StartAsync();
        using var response = await live.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    public async Task Head_is_answered_where_get_is(string path)
    {
        await using var live = await LiveSession.StartAsync();
        using var response = await live.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/metrics")]
    [InlineData("PUT", "/metrics")]
    [InlineData("DELETE", "/healthz")]
    [InlineData("PATCH", "/")]
    public async Task Is_read_only(string method, string path)
    {
        await using var live = await LiveSession.StartAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("x") };
        using var response = await live.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Closing_the_session_closes_its_listener()
    {
        var live = await LiveSession.StartAsync();
        var endpoint = live.Session.MetricsEndpoint!;
        Assert.Equal("ok\n", await live.Http.GetStringAsync("/healthz"));

        await live.DisposeAsync();

        // Refused, not timed out or reset: nothing listens on the port any more.
        using var client = new TcpClient();
        var refused = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_port_in_use_fails_clearly_before_anything_starts()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = (IPEndPoint)occupant.LocalEndpoint;
        bool gpuOpened = false;

        var error = await Assert.ThrowsAsync<IOException>(() => TelemetrySession.StartAsync(
            taken, new CapturingLogger(), () => { gpuOpened = true; return (new FakeGpu(), ""); }, TimeSpan.FromSeconds(1), CancellationToken.None));

        Assert.Equal($"--metrics-listen {taken}: cannot listen there: port {taken.Port} is already in use (another catsdogs run?). Pick another address or port, or none.", error.Message);
        Assert.False(gpuOpened);
    }

    [Fact]
    public async Task Listening_beyond_loopback_warns()
    {
        await using var live = await LiveSession.StartAsync(new IPEndPoint(IPAddress.Any, 0));

        Assert.Equal("ok\n", await live.Http.GetStringAsync("/healthz"));
        var warning = Assert.Single(live.Log.Entries, e => e.Level == LogLevel.Warning);
        Assert.StartsWith($"Metrics are served beyond this machine at 0.0.0.0:{live.Session.MetricsEndpoint!.Port}: anyone who can reach it can read them.", warning.Message);
    }

    [Fact]
    public async Task Loopback_does_not_warn_and_says_where_metrics_are()
    {
        await using var live = await LiveSession.StartAsync();
        var entry = Assert.Single(live.Log.Entries);
        Assert.Equal((LogLevel.Information, $"Metrics at http://{live.Session.MetricsEndpoint}/metrics"), entry);
    }

    [Fact]
    public async Task Without_nvml_gpu_series_are_absent_no_csv_is_written_and_the_log_says_why_once()
    {
        await using var live = await LiveSession.StartAsync(gpuAbsentReason: "libnvidia-ml.so.1 could not be loaded");
        var csv = Path.Combine(Path.GetTempPath(), $"catsdogs-{Guid.NewGuid():N}.csv");
        live.Session.WriteGpuCsv(csv);
        await Task.Delay(200);

        var text = await live.Http.GetStringAsync("/metrics");
        Assert.DoesNotContain("hw_gpu", text);
        Assert.DoesNotContain("catsdogs_gpu", text);
        Assert.False(File.Exists(csv));
        var warning = Assert.Single(live.Log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("No GPU metrics: libnvidia-ml.so.1 could not be loaded. The hw.gpu.* and catsdogs.gpu.* series are absent and no gpu.csv is written.", warning.Message);
    }

    [Fact]
    public async Task With_metrics_off_nothing_listens_and_instruments_still_take_calls()
    {
        await using var session = await TelemetrySession.StartAsync(null, new CapturingLogger(), () => (new FakeGpu(), ""), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Null(session.MetricsEndpoint);
        LiveSession.RecordEveryInstrument(session);
    }

    [Fact]
    public async Task Recording_allocates_nothing_while_exported()
    {
        await using var live = await LiveSession.StartAsync();
        var pipeline = live.Session.Pipeline;
        var trainer = live.Session.Trainer;
        void HotPath()
        {
            for (int i = 0; i < 10_000; i++)
            {
                pipeline.RecordBatchAssembly(TimeSpan.FromTicks(i));
                trainer.AddStep(32, TimeSpan.FromTicks(i));
                trainer.AddInputWait(TimeSpan.FromTicks(i));
                trainer.SetTrainingScores(0.5, 0.5);
            }
        }

        HotPath(); // first use creates the exporter's metric points

        // A per-call allocation would show in every round (50,000 calls, 24 bytes or more each). A round can
        // still catch a one-off runtime allocation when other tests run alongside, so the cleanest round counts.
        var rounds = new long[3];
        for (int r = 0; r < rounds.Length; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            HotPath();
            rounds[r] = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.True(rounds.Min() == 0, $"bytes allocated per round of 50,000 calls: {string.Join(", ", rounds)}");
    }
}
