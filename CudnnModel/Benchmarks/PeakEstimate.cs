using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Model.Benchmarks;

/// <summary>
/// A theoretical fp32 peak for the CPU: cores x GHz x floats per FMA x 2 flops x FMA pipes. No CPUID field gives the
/// pipes (Intel's AVX-512 Xeons have one or two 512-bit units by model and SKU, Zen 4 splits a 512-bit FMA into two
/// halves, Zen 5 has two full pipes), so they are measured: independent FMA chains on one core for a few milliseconds,
/// against what one pipe does at the reported clock. Cores that boost above the reported clock can beat the estimate.
/// </summary>
public sealed record PeakEstimate(double Gflops, string Basis)
{
    public static PeakEstimate ForCpu(int threads)
    {
        var cores = Math.Clamp(threads, 1, Environment.ProcessorCount);
        var (ghz, clockSource) = ClockGhz();
        var (lanes, isa) = Vector512.IsHardwareAccelerated && Avx512F.IsSupported
            ? (16, "AVX-512")
            : Fma.IsSupported ? (8, "AVX2+FMA") : (4, "SSE, no FMA");
        var (pipes, pipeSource) = lanes == 4 ? (1, "no FMA") : (MeasuredPipes(ghz, lanes), "measured");
        var gflops = cores * ghz * lanes * 2 * pipes;
        return new PeakEstimate(gflops, string.Create(CultureInfo.InvariantCulture,
            $"{cores} core(s) x {ghz:F2} GHz ({clockSource}) x {lanes} fp32 lanes ({isa}) x 2 flops/FMA x {pipes} FMA pipe(s) ({pipeSource})"));
    }

    /// <summary>
    /// One core's FMA pipes: twelve independent chains (enough for two pipes of latency 4 to 6) for about 2 million
    /// steps, the best of three tries, as a share of one pipe's rate at <paramref name="ghz"/>, rounded to 1 or 2.
    /// </summary>
    private static int MeasuredPipes(double ghz, int lanes)
    {
        const int Steps = 2_000_000;
        const int ChainCount = 12;
        var best = double.MaxValue;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            // Not inlined, so the chains run whether or not their sum is used.
            _ = lanes == 16 ? Chains<Lane512, Vector512<float>>(Steps) : Chains<Lane256, Vector256<float>>(Steps);
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var perPipe = (double)Steps * ChainCount / (ghz * 1e9);
        return perPipe / best >= 1.5 ? 2 : 1;
    }

    /// <summary>Twelve independent chains of <paramref name="steps"/> fused multiply-adds each, through the GEMM's lane type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float Chains<TLane, TVector>(int steps)
        where TLane : struct, ISimdLane<TVector>
        where TVector : struct
    {
        var (m, b) = (TLane.Broadcast(0.999f), TLane.Broadcast(0.001f));
        TVector c0 = TLane.Zero, c1 = TLane.Zero, c2 = TLane.Zero, c3 = TLane.Zero, c4 = TLane.Zero, c5 = TLane.Zero;
        TVector c6 = TLane.Zero, c7 = TLane.Zero, c8 = TLane.Zero, c9 = TLane.Zero, c10 = TLane.Zero, c11 = TLane.Zero;
        for (var i = 0; i < steps; i++)
        {
            (c0, c1, c2, c3) = (TLane.MultiplyAdd(c0, m, b), TLane.MultiplyAdd(c1, m, b), TLane.MultiplyAdd(c2, m, b), TLane.MultiplyAdd(c3, m, b));
            (c4, c5, c6, c7) = (TLane.MultiplyAdd(c4, m, b), TLane.MultiplyAdd(c5, m, b), TLane.MultiplyAdd(c6, m, b), TLane.MultiplyAdd(c7, m, b));
            (c8, c9, c10, c11) = (TLane.MultiplyAdd(c8, m, b), TLane.MultiplyAdd(c9, m, b), TLane.MultiplyAdd(c10, m, b), TLane.MultiplyAdd(c11, m, b));
        }

        return TLane.Sum(c0) + TLane.Sum(c1) + TLane.Sum(c2) + TLane.Sum(c3) + TLane.Sum(c4) + TLane.Sum(c5) +
            TLane.Sum(c6) + TLane.Sum(c7) + TLane.Sum(c8) + TLane.Sum(c9) + TLane.Sum(c10) + TLane.Sum(c11);
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
