using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native.Loading;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA stack on the CPU (CpuEmulation/Stack): one library, built once per test run with g++,
/// that stands in for the driver, cuDNN, cuBLAS, NVRTC and NVML under all their sonames. catsdogs
/// then runs its real CUDA backend (loader, bindings, streams, events, pinned uploads, kernels) and
/// its GPU telemetry with no GPU; Stack/runtime.h says what the stand-in simulates and what it checks.
/// </summary>
internal static class CudaStackOnCpu
{
    private const string LibraryName = "libcuda_on_cpu.so";

    private static readonly string[] Sonames =
    [
        // The optional cuDNN engine libraries too: missing here, the loader would find a real cuDNN's by soname.
        "libcuda.so.1", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9", "libcudnn_engines_precompiled.so.9",
        "libcudnn_engines_runtime_compiled.so.9", "libcudnn_engines_tensor_ir.so.9", "libcudnn_heuristic.so.9", "libcudnn.so.9",
        "libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13", "libnvidia-ml.so.1",
    ];

    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(3);
    // Per source of the kernels the driver runs: each stack is built once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<string>> Stacks = new();

    /// <summary>The variables under which a process finds the stand-in before any real GPU library (the dynamic loader searches LD_LIBRARY_PATH first).</summary>
    public static Dictionary<string, string> Environment => EnvironmentFor(Built);

    /// <summary>
    /// <see cref="Environment"/> for a stack whose driver runs <paramref name="kernels"/> while its NVRTC
    /// accepts catsdogs' own source: a wrong kernel behind a correct compile, as a GPU would run it.
    /// </summary>
    public static Dictionary<string, string> EnvironmentRunning(string kernels) => EnvironmentFor(Stack(kernels));

    private static string Built => Stack(CudaKernels.Source);

    /// <summary>Runs catsdogs on the stand-in.</summary>
    public static Task<(int Exit, string Output)> RunAsync(params string[] args) => RunAsync(Environment, args);

    /// <param name="environment"><see cref="Environment"/>, with what a test adds.</param>
    public static async Task<(int Exit, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var app = ChildProcess.CatsDogs(environment, args);
        await app.WaitForExitAsync(RunLimit);
        return (app.ExitCode, app.Output);
    }

    /// <summary>
    /// A copy of the library loaded into this process by a path of its own, so that its device
    /// state (a sticky error, say) is the caller's alone and no soname lookup can find it.
    /// </summary>
    public static nint LoadPrivateCopy()
    {
        var copy = Path.Combine(Built, $"private-{Guid.NewGuid():N}.so");
        File.Copy(Path.Combine(Built, LibraryName), copy);
        return NativeLibrary.Load(copy);
    }

    private static Dictionary<string, string> EnvironmentFor(string stack) => new() { ["LD_LIBRARY_PATH"] = stack, [LibrarySearch.OverrideVariable] = stack };

    private static string Stack(string kernels) => Stacks.GetOrAdd(kernels, source => new Lazy<string>(() => Build(source))).Value;

    private static string Build(string kernels)
    {
        var emulation = Path.Combine(AppContext.BaseDirectory, "Model", "Cuda", "CpuEmulation");
        var folder = Directory.CreateTempSubdirectory("catsdogs-cuda-on-cpu-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        // The NVRTC stand-in accepts only catsdogs' source; the driver stand-in runs the kernels of the other file.
        var accepted = Path.Combine(folder, "Kernels.cu");
        File.WriteAllText(accepted, CudaKernels.Source);
        var run = Path.Combine(folder, "KernelsRun.cu");
        File.WriteAllText(run, kernels);
        NativeBuild.SharedLibrary(Path.Combine(folder, LibraryName),
        [
            "-O2", "-ffp-contract=off", "-pthread", $"-DKERNELS_SOURCE=\"{run}\"", $"-DKERNELS_ACCEPTED=\"{accepted}\"", "-I", emulation,
            Path.Combine(emulation, "kernel_host.cpp"), .. Directory.GetFiles(Path.Combine(emulation, "Stack"), "*.cpp").Order(StringComparer.Ordinal),
        ]);
        foreach (var soname in Sonames)
        {
            File.CreateSymbolicLink(Path.Combine(folder, soname), LibraryName);
        }

        return folder;
    }
}
