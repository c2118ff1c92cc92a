namespace CatsDogs.Telemetry;

/// <summary>The one <see cref="System.Diagnostics.Metrics.Meter"/> every CatsDogs instrument belongs to.</summary>
internal static class CatsDogsMeter
{
    public const string Name = "CatsDogs";
}
