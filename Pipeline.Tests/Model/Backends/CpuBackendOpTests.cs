using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Tests.Model.Backends;

/// <summary>The op suite on the CPU backend with one worker: the bit-exact configuration.</summary>
public sealed class CpuSingleThreadOpTests() : BackendOpTests(new CpuBackend(new CpuBackendOptions { Threads = 1 }));

/// <summary>The op suite with three workers, which exercises the split GEMM and per-worker gradient sums.</summary>
public sealed class CpuMultiThreadOpTests() : BackendOpTests(new CpuBackend(new CpuBackendOptions { Threads = 3 }));
