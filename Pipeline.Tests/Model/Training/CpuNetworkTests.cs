using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Tests.Model.Training;

/// <summary>Network behaviour on the CPU backend with one worker, the bit-exact configuration.</summary>
public sealed class CpuNetworkTests() : NetworkTests(new ComputeDevice(new CpuBackend(new CpuBackendOptions { Threads = 1 }), "test"));

/// <summary>Network behaviour with two workers: reproducible for a fixed thread count too.</summary>
public sealed class CpuTwoThreadNetworkTests() : NetworkTests(new ComputeDevice(new CpuBackend(new CpuBackendOptions { Threads = 2 }), "test"));

/// <summary>Every preset's gradients on the CPU backend against float64 finite differences.</summary>
public sealed class CpuNetworkGradientTests() : NetworkGradientTests(new CpuBackend(new CpuBackendOptions { Threads = 1 }));
