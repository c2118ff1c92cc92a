using System.Globalization;

namespace CatsDogs.Model.Benchmarks;

/// <summary>
/// What one benchmark run measured. <see cref="CpuSeconds"/> is the process's processor time
/// over the timed steps: on the CPU backend, well below Seconds x threads means other processes
/// shared the cores. <see cref="Peak"/> is the CPU's theoretical fp32 peak, absent on a GPU.
/// </summary>
public sealed record BenchmarkResult(string Model, int ImageSize, int Batch, int Steps, string Device, double Seconds, double CpuSeconds,
    double ImagesPerSecond, double Gflops, PeakEstimate? Peak)
{
    public override string ToString()
    {
        var measured = string.Create(CultureInfo.InvariantCulture,
            $"{Model}@{ImageSize} batch {Batch}, {Steps} steps in {Seconds:F2} s ({CpuSeconds:F2} CPU-s) on {Device}: {ImagesPerSecond:F1} img/s, {Gflops / 1000:F3} TFLOP/s");
        return Peak is { } peak
            ? measured + string.Create(CultureInfo.InvariantCulture, $" ({100 * Gflops / peak.Gflops:F0}% of the {peak.Gflops:F0} GFLOP/s estimate: {peak.Basis})")
            : measured;
    }

    /// <summary>One key=value line for scripts (bench/gpu-check.sh and bench/cpu-vs-libtorch.sh read it).</summary>
    public string ToResultLine() => string.Create(CultureInfo.InvariantCulture,
        $"result model={Model} batch={Batch} images_per_second={ImagesPerSecond:F1} tflops={Gflops / 1000:F3}");
}
