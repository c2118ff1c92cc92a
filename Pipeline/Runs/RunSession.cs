namespace CatsDogs.Pipeline.Runs;

/// <summary>One start of a training run: when, by which build of the program and which command line, on which machine and device.</summary>
/// <param name="Started">UTC, to the second.</param>
/// <param name="Commit">The git commit the program was built from; "unknown" for a build outside a git checkout.</param>
/// <param name="CpuCores">The logical processors this process could use.</param>
/// <param name="Device">What the network ran on, as the device describes itself: the GPU, or the CPU and its threads.</param>
internal sealed record RunSession(
    DateTime Started, string Version, string Commit, string CommandLine, string Host, string Cpu, int CpuCores, string Device)
{
    /// <summary>This process's session, which started at <paramref name="started"/> and runs on <paramref name="device"/>.</summary>
    public static RunSession OfThisProcess(DateTime started, string device) => new(
        started.AddTicks(-(started.Ticks % TimeSpan.TicksPerSecond)),
        BuildInfo.Version,
        BuildInfo.Commit,
        ShellWords.Join(Environment.GetCommandLineArgs()),
        Environment.MachineName,
        HostCpu.Model,
        Environment.ProcessorCount,
        device);
}
