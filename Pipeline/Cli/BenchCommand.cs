using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench ...`: throughput measurements; speed is measured here, never in tests.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure throughput.")
    {
        BenchInputCommand.Create(),
        BenchModelCommand.Create(),
        BenchUpscaleCommand.Create(),
    };
}
