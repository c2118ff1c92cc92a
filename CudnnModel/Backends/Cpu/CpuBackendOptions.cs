namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Settings of the CPU backend.</summary>
public sealed record CpuBackendOptions
{
    /// <summary>
    /// Worker threads for every op; defaults to the processor count. With 1, every op runs on the
    /// calling thread in a fixed order, which makes training bit-exact and resumable. Results
    /// with more threads are reproducible for the same count.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
}
