namespace CatsDogs.Model.Benchmarks;

/// <summary>
/// What one benchmark run measured. <see cref="CpuSeconds"/> is the process's processor time
/// over the timed steps: well below Seconds x threads, it means other processes shared the cores.
/// </summary>
public sealed record BenchmarkResult(string Model, int ImageSize, int Batch, int Steps, string Device, double Seconds, double CpuSeconds,
    double ImagesPerSecond, double Gflops, PeakEstimate Peak)
{
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Model}@{ImageSize} batch {Batch}, {Steps} steps in {Seconds:F2} s ({CpuSeconds:F2} CPU-s) on {Device}: {ImagesPerSecond:F1} img/s, {Gflops:F1} GFLOP/s ({100 * Gflops / Peak.Gflops:F0}% of the {Peak.Gflops:F0} GFLOP/s estimate: {Peak.Basis})");
}
