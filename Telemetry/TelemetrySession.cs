using System.Diagnostics.Metrics;
using System.Net;
using CatsDogs.Telemetry.Gpu;
using CatsDogs.Telemetry.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CatsDogs.Telemetry;

/// <summary>
/// Everything a run exports, started before the run does: the instruments of the <c>CatsDogs</c> meter,
/// the GPU sampler (NVML, about once a second) and, unless <c>--metrics-listen none</c>, the
/// <c>/metrics</c> endpoint. Start it before creating anything of the run: if the endpoint cannot bind,
/// <see cref="StartAsync(IPEndPoint?, ILogger, CancellationToken)"/> throws and nothing is left running.
/// </summary>
public sealed class TelemetrySession : IAsyncDisposable
{
    private static readonly TimeSpan GpuSamplePeriod = TimeSpan.FromSeconds(1);

    private readonly ServiceProvider _services;
    private readonly MetricsEndpoint? _endpoint;
    private readonly GpuSampler? _gpu;

    private TelemetrySession(ServiceProvider services, MetricsEndpoint? endpoint, GpuSampler? gpu)
    {
        _services = services;
        _endpoint = endpoint;
        _gpu = gpu;
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        _ = new GpuMetrics(meterFactory, gpu is null ? static () => [] : () => gpu.Latest);
        Pipeline = new PipelineMetrics(meterFactory);
        Trainer = new TrainerMetrics(meterFactory);
    }

    public PipelineMetrics Pipeline { get; }

    public TrainerMetrics Trainer { get; }

    /// <summary>Where <c>/metrics</c> is served (with the real port when 0 was asked for), or null with <c>none</c>.</summary>
    public IPEndPoint? MetricsEndpoint => _endpoint?.Bound;

    /// <param name="listen">From <see cref="MetricsListen.Parse"/>; null serves nothing (instruments still exist, unobserved and nearly free).</param>
    /// <param name="logger">Says where metrics are served, warns about non-loopback addresses, and says once why GPU metrics are absent.</param>
    public static Task<TelemetrySession> StartAsync(IPEndPoint? listen, ILogger logger, CancellationToken cancellationToken = default) =>
        StartAsync(listen, logger, OpenNvml, GpuSamplePeriod, cancellationToken);

    /// <summary>The seam for tests: another GPU source and sample period.</summary>
    internal static async Task<TelemetrySession> StartAsync(
        IPEndPoint? listen, ILogger logger, Func<(IGpuReader? Reader, string Reason)> openGpu, TimeSpan gpuSamplePeriod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MetricsEndpoint? endpoint = null;
        try
        {
            if (listen is not null)
            {
                endpoint = await Hosting.MetricsEndpoint.StartAsync(listen, logger, cancellationToken);
            }
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }

        var (reader, reason) = openGpu();
        if (reader is null)
        {
            logger.LogWarning("No GPU metrics: {Reason}. The hw.gpu.* and catsdogs.gpu.* series are absent and no gpu.csv is written.", reason);
        }

        var gpu = reader is null ? null : GpuSampler.Start(reader, gpuSamplePeriod, logger);
        return new TelemetrySession(services, endpoint, gpu);
    }

    /// <summary>
    /// Appends every GPU sample from now on to <paramref name="path"/> (nvidia-smi's CSV layout); without
    /// NVML it writes nothing. Throws <see cref="IOException"/> if the file cannot be opened; a later
    /// write error is logged once and ends the file, not the run.
    /// </summary>
    public void WriteGpuCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _gpu?.LogTo(GpuCsvLog.Open(path));
    }

    public async ValueTask DisposeAsync()
    {
        _gpu?.Dispose();
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private static (IGpuReader?, string) OpenNvml() => (NvmlGpuReader.TryOpen(out var reason), reason);
}
