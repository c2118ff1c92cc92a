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
        RecordEveryInstrument(live.Session);
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
    public async Task Healthz_answers_ok()
    {
        await using var live = await LiveSession.StartAsync();
        using var response = await live.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
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
        var log = new CapturingLogger();
        await using var session = await TelemetrySession.StartAsync(
            new IPEndPoint(IPAddress.Any, 0), log, () => (null, "no GPU in this test"), TimeSpan.FromSeconds(1), CancellationToken.None);
        using var http = new HttpClient();

        var metrics = await http.GetAsync($"http://127.0.0.1:{session.MetricsEndpoint!.Port}/healthz");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("beyond this machine"));
        Assert.Contains($"0.0.0.0:{session.MetricsEndpoint.Port}", warning.Message);
    }

    [Fact]
    public async Task Loopback_does_not_warn_and_says_where_metrics_are()
    {
        await using var live = await LiveSession.StartAsync();
        var entry = Assert.Single(live.Log.Entries);
        Assert.Equal((LogLevel.Information, $"Metrics at http://{live.Session.MetricsEndpoint}/metrics"), entry);
    }

    [Fact]
    public async Task Without_nvml_gpu_series_are_absent_and_the_log_says_why_once()
    {
        var log = new CapturingLogger();
        await using var session = await TelemetrySession.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), log, () => (null, "libnvidia-ml.so.1 could not be loaded"), TimeSpan.FromMilliseconds(20), CancellationToken.None);
        using var http = new HttpClient();
        session.WriteGpuCsv(Path.Combine(Path.GetTempPath(), $"catsdogs-{Guid.NewGuid():N}.csv"));
        await Task.Delay(200);

        var text = await http.GetStringAsync($"http://{session.MetricsEndpoint}/metrics");
        Assert.DoesNotContain("hw_gpu", text);
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("No GPU metrics: libnvidia-ml.so.1 could not be loaded. The hw.gpu.* series are absent and no gpu.csv is written.", warning.Message);
    }

    [Fact]
    public async Task With_metrics_off_nothing_listens_and_instruments_still_take_calls()
    {
        await using var session = await TelemetrySession.StartAsync(null, new CapturingLogger(), () => (new FakeGpu(), ""), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Null(session.MetricsEndpoint);
        RecordEveryInstrument(session);
    }

    [Fact]
    public async Task Pipeline_hot_path_allocates_nothing_while_exported()
    {
        await using var live = await LiveSession.StartAsync();
        var pipeline = live.Session.Pipeline;
        var trainer = live.Session.Trainer;
        void HotPath()
        {
            for (int i = 0; i < 10_000; i++)
            {
                pipeline.AddImages((PipelineStage)(i % 4), 1);
                pipeline.RecordBatchAssembly(TimeSpan.FromTicks(i));
                trainer.AddStep(32, TimeSpan.FromTicks(i));
                trainer.AddInputWait(TimeSpan.FromTicks(i));
                trainer.SetTrainingScores(0.5, 0.5);
            }
        }

        HotPath(); // first use creates the exporter's metric points
        long before = GC.GetAllocatedBytesForCurrentThread();
        HotPath();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Touches every instrument so that each family appears in a scrape.</summary>
    internal static void RecordEveryInstrument(TelemetrySession session)
    {
        var pipeline = session.Pipeline;
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            pipeline.AddImages(stage, 32);
        }

        pipeline.AddSkipped("corrupt");
        pipeline.RecordBatchAssembly(TimeSpan.FromMilliseconds(3));
        pipeline.TrackQueue("decode", () => 3, () => 1);
        pipeline.TrackBufferPool("batches", () => 2, () => 6);
        var trainer = session.Trainer;
        trainer.AddStep(32, TimeSpan.FromMilliseconds(40));
        trainer.AddInputWait(TimeSpan.FromMilliseconds(5));
        trainer.SetTrainingScores(0.65, 0.62);
        trainer.SetValidationScores(0.6, 0.68);
        trainer.SetLearningRate(1e-3);
        trainer.SetEpoch(1, 30);
        trainer.AddCheckpointWrite();
        trainer.AddCheckpointFailure();
    }
}
