using System.Diagnostics.Metrics;
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
        var endpoint = session.MetricsEndpoint!;
        // A wildcard address is served on loopback too; the tests talk to nothing else.
        var host = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback : endpoint.Address;
        Http = new HttpClient { BaseAddress = new Uri($"http://{new IPEndPoint(host, endpoint.Port)}") };
    }

    public TelemetrySession Session { get; }

    public FakeGpu Gpu { get; }

    public CapturingLogger Log { get; }

    public HttpClient Http { get; }

    /// <param name="listen">Where to serve; a free loopback port by default.</param>
    /// <param name="gpuAbsentReason">When given, NVML is "absent" for this reason instead of <see cref="FakeGpu"/> being read.</param>
    public static async Task<LiveSession> StartAsync(IPEndPoint? listen = null, string? gpuAbsentReason = null)
    {
        var gpu = new FakeGpu();
        var log = new CapturingLogger();
        var session = await TelemetrySession.StartAsync(
            listen ?? new IPEndPoint(IPAddress.Loopback, 0), log, () => gpuAbsentReason is null ? (gpu, "") : (null, gpuAbsentReason),
            TimeSpan.FromMilliseconds(50), CancellationToken.None);
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

    /// <summary>The meters the exporter serves: ours, System.Runtime (AddRuntimeInstrumentation) and AddProcessInstrumentation's.</summary>
    public static readonly string[] ExportedMeters = ["CatsDogs", "System.Runtime", "OpenTelemetry.Instrumentation.Process"];

    /// <summary>
    /// Every family the exporter emits when every instrument has been used and NVML sees a GPU (fed
    /// by <see cref="FakeGpu"/>: the GPU instruments are the same objects whether NVML is there or not),
    /// and the instruments of the exported meters behind them (name to meter and unit).
    /// </summary>
    public static async Task<(Dictionary<string, MetricFamily> Families, Dictionary<string, (string Meter, string? Unit)> Instruments)> ScrapeEveryFamilyAsync()
    {
        var instruments = new Dictionary<string, (string Meter, string? Unit)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ExportedMeters.Contains(instrument.Meter.Name))
                {
                    lock (instruments)
                    {
                        instruments[instrument.Name] = (instrument.Meter.Name, instrument.Unit);
                    }
                }
            },
        };
        listener.Start();
        await using var live = await StartAsync();
        RecordEveryInstrument(live.Session);
        GC.Collect(); // the runtime reports dotnet.gc.last_collection.* only once a collection has happened
        ThrowAndCatch(); // and dotnet.exceptions only once an exception has been thrown
        var text = await live.ScrapeUntilAsync(t =>
            t.Contains("hw_gpu_utilization{") && t.Contains("dotnet_gc_last_collection_heap_size_bytes{") && t.Contains("dotnet_exceptions_total{"));
        lock (instruments)
        {
            return (Exposition.Parse(text), new Dictionary<string, (string Meter, string? Unit)>(instruments));
        }
    }

    private static void ThrowAndCatch()
    {
        try
        {
            throw new InvalidOperationException("Counted by dotnet.exceptions.");
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Touches every instrument so that each family appears in a scrape.</summary>
    public static void RecordEveryInstrument(TelemetrySession session)
    {
        var pipeline = session.Pipeline;
        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            pipeline.TrackImages(stage, () => 32);
        }

        pipeline.TrackSkipped("corrupt", () => 1);
        pipeline.RecordBatchAssembly(TimeSpan.FromMilliseconds(3));
        pipeline.TrackQueue("decode", () => 3, () => 1);
        pipeline.TrackBufferPool("batches", () => 2, () => 6);
        pipeline.TrackSetting("prefetch", () => 4);
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

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Session.DisposeAsync();
    }
}
