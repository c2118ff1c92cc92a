using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CatsDogs.Tests.Telemetry;

/// <summary>A meter factory of the test's own, so that collectors see only the instruments the test made.</summary>
internal sealed class TestMeters : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public IMeterFactory Factory => _services.GetRequiredService<IMeterFactory>();

    /// <summary>Everything recorded from now on by this factory's CatsDogs instrument <paramref name="instrument"/>.</summary>
    public MetricCollector<T> Collect<T>(string instrument) where T : struct => new(Factory, "CatsDogs", instrument);

    public void Dispose() => _services.Dispose();
}
