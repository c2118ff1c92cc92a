using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CatsDogs.Model.Benchmarks;

/// <summary>
/// A theoretical fp32 peak for the CPU: cores x GHz x floats per FMA x 2 flops x FMA pipes.
/// AMD Zen 5 (family 1Ah) has two full 512-bit FMA pipes; other AVX-512 parts are counted with
/// one (Zen 4 splits 512-bit FMAs into two 256-bit halves, many Intel parts have one unit) and
/// AVX2 parts with two 256-bit pipes. Cores that boost above the reported clock can beat it.
/// </summary>
public sealed record PeakEstimate(double Gflops, string Basis)
{
    public static PeakEstimate ForCpu(int threads)
    {
        var cores = Math.Clamp(threads, 1, Environment.ProcessorCount);
        var (ghz, clockSource) = ClockGhz();
        var (lanes, pipes, isa) = Vector512.IsHardwareAccelerated && Avx512F.IsSupported
            ? (16, AmdFamily() >= 0x1A ? 2 : 1, "AVX-512")
            : Fma.IsSupported ? (8, 2, "AVX2+FMA") : (4, 1, "SSE, no FMA");
        var gflops = cores * ghz * lanes * 2 * pipes;
        return new PeakEstimate(gflops, string.Create(CultureInfo.InvariantCulture,
            $"{cores} core(s) x {ghz:F2} GHz ({clockSource}) x {lanes} fp32 lanes ({isa}) x 2 flops/FMA x {pipes} FMA pipe(s)"));
    }

    /// <summary>The CPUID family of an AMD processor, or 0 for other vendors.</summary>
    private static int AmdFamily()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }

        var (_, vendor1, vendor3, vendor2) = X86Base.CpuId(0, 0);
        // "AuthenticAMD" in EBX, EDX, ECX order.
        if (vendor1 != 0x68747541 || vendor2 != 0x69746E65 || vendor3 != 0x444D4163)
        {
            return 0;
        }

        var signature = X86Base.CpuId(1, 0).Eax;
        var family = (signature >> 8) & 0xF;
        return family == 0xF ? family + ((signature >> 20) & 0xFF) : family;
    }

    /// <summary>The clock from /proc/cpuinfo on Linux (what the hypervisor reports), else a nominal guess.</summary>
    private static (double Ghz, string Source) ClockGhz()
    {
        const string CpuInfo = "/proc/cpuinfo";
        if (File.Exists(CpuInfo))
        {
            var megahertz = File.ReadLines(CpuInfo)
                .Where(line => line.StartsWith("cpu MHz", StringComparison.Ordinal))
                .Select(line => double.Parse(line[(line.IndexOf(':') + 1)..], CultureInfo.InvariantCulture))
                .DefaultIfEmpty(0)
                .Max();
            if (megahertz > 0)
            {
                return (megahertz / 1000, "/proc/cpuinfo");
            }
        }

        return (2.5, "assumed");
    }
}
