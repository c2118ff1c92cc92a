using System.Reflection;

namespace CatsDogs.Pipeline.Runs;

/// <summary>Which build of the program is running: its version, and the git commit Pipeline.csproj embedded.</summary>
internal static class BuildInfo
{
    private static readonly Assembly ThisAssembly = typeof(BuildInfo).Assembly;

    /// <summary>The informational version without its build metadata (the SDK appends "+commit" there; <see cref="Commit"/> holds it).</summary>
    public static string Version { get; } =
        ThisAssembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    public static string Commit { get; } =
        ThisAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(attribute => attribute.Key == "GitCommit")?.Value ?? "unknown";
}
