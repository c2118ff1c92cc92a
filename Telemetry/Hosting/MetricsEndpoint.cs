using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace CatsDogs.Telemetry.Hosting;

/// <summary>
/// Kestrel serving <c>/metrics</c> (the OpenTelemetry Prometheus exporter over the <c>CatsDogs</c> meter,
/// .NET runtime and process metrics) and <c>/healthz</c>. Read-only: anything but GET or HEAD gets 405.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    public const string MetricsPath = "/metrics";
    public const string HealthPath = "/healthz";

    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app, IPEndPoint bound)
    {
        _app = app;
        Bound = bound;
    }

    /// <summary>Where it really listens: the requested address, with the port Kestrel picked when 0 was asked for.</summary>
    public IPEndPoint Bound { get; }

    /// <summary>Binds and starts serving, or throws <see cref="IOException"/> saying why it could not bind; nothing is left running then.</summary>
    public static async Task<MetricsEndpoint> StartAsync(IPEndPoint listen, ILogger logger, CancellationToken cancellationToken)
    {
        var app = Build(listen);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // Kestrel wraps a taken port in an IOException but lets others through as they are, such as
            // an address this machine does not have or a privileged port.
            await app.DisposeAsync();
            var why = e.InnerException is AddressInUseException
                ? $"port {listen.Port} is already in use (another catsdogs run?)"
                : e.InnerException?.Message ?? e.Message;
            throw new IOException($"{MetricsListen.OptionName} {listen}: cannot listen there: {why}. Pick another address or port, or {MetricsListen.Off}.", e);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var bound = new IPEndPoint(listen.Address, new Uri(address).Port);
        if (!IPAddress.IsLoopback(listen.Address))
        {
            logger.LogWarning("Metrics are served beyond this machine at {Address}: anyone who can reach it can read them. Use {Default} to keep them local.",
                bound, MetricsListen.Default);
        }

        logger.LogInformation("Metrics at http://{Address}{Path}", bound, MetricsPath);
        return new MetricsEndpoint(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static WebApplication Build(IPEndPoint listen)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "catsdogs-metrics" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listen);
        });
        builder.Services.AddRoutingCore();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("catsdogs"))
            .WithMetrics(metrics => metrics
            .AddMeter(CatsDogsMeter.Name)
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddPrometheusExporter());

        var app = builder.Build();
        app.Use(static (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        });
        app.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
        app.MapMethods(HealthPath, [HttpMethods.Get, HttpMethods.Head], static () => "ok\n");
        return app;
    }
}
