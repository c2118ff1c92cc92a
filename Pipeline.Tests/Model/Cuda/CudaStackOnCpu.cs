using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native.Loading;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA stack on the CPU (tests/cuda-on-cpu): one library, built once per test run by its
/// Makefile, that stands in for the driver, cuDNN, cuBLAS, NVRTC and NVML under all their sonames.
/// catsdogs then runs its real CUDA backend (loader, bindings, streams, events, pinned uploads,
/// kernels) and its GPU telemetry with no GPU; tests/cuda-on-cpu/README.md says what the stack
/// simulates and what it checks.
/// </summary>
internal static class CudaStackOnCpu
{
    private const string LibraryName = "libcuda_on_cpu.so";

    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(3);
    // Per source of the kernels the driver runs: each stack is built once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<string>> Stacks = new();

    /// <summary>The folder of the stack that runs catsdogs' own kernels: the library, and a link to it under every soname.</summary>
    public static string Folder => Stack(CudaKernels.Source);

    /// <summary>The variables under which a process finds the stack before any real GPU library (the dynamic loader searches LD_LIBRARY_PATH first).</summary>
    public static Dictionary<string, string> Environment => EnvironmentFor(Folder);

    /// <summary>
    /// <see cref="Environment"/> for a stack whose driver runs <paramref name="kernels"/> while its NVRTC
    /// accepts catsdogs' own source: a wrong kernel behind a correct compile, as a GPU would run it.
    /// </summary>
    public static Dictionary<string, string> EnvironmentRunning(string kernels) => EnvironmentFor(Stack(kernels));

    /// <summary>Runs catsdogs on the stack.</summary>
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
    /// state (a sticky error, say) is the caller's alone and no soname lookup can find it. Its
    /// driver runs <paramref name="kernels"/> (by default catsdogs' own).
    /// </summary>
    public static nint LoadPrivateCopy(string? kernels = null)
    {
        var folder = Stack(kernels ?? CudaKernels.Source);
        var copy = Path.Combine(folder, $"private-{Guid.NewGuid():N}.so");
        File.Copy(Path.Combine(folder, LibraryName), copy);
        return NativeLibrary.Load(copy);
    }

    private static Dictionary<string, string> EnvironmentFor(string stack) => new() { ["LD_LIBRARY_PATH"] = stack, [LibrarySearch.OverrideVariable] = stack };

    private static string Stack(string kernels) => Stacks.GetOrAdd(kernels, source => new Lazy<string>(() => Build(source))).Value;

    private static string Build(string kernels)
    {
        var folder = Directory.CreateTempSubdirectory("catsdogs-cuda-on-cpu-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        // The NVRTC stand-in accepts only catsdogs' source (as embedded, which is what the backend
        // hands NVRTC); the driver runs the kernels of the other file.
        var accepted = Path.Combine(folder, "Kernels.cu");
        File.WriteAllText(accepted, CudaKernels.Source);
        var run = Path.Combine(folder, "KernelsRun.cu");
        File.WriteAllText(run, kernels);
        NativeBuild.Make(RepoPaths.Of("tests/cuda-on-cpu"), $"OUT={folder}", $"KERNELS_SOURCE={run}", $"KERNELS_ACCEPTED={accepted}");
        return folder;
    }
}
