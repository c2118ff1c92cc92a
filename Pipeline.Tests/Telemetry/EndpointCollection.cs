namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// Tests that serve /metrics. An OpenTelemetry MeterProvider subscribes to the CatsDogs meter by name,
/// process-wide, so two endpoints alive at once would each export the other's instruments too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndpointCollection
{
    public const string Name = "Metrics endpoint";
}
