using System.Reflection;
using System.Runtime.InteropServices;
using CatsDogs.Model.Native;
using CatsDogs.Telemetry.Nvml.Native;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// bench/cuda_preflight.py, which gpu-check runs first on a GPU machine: it reads the bindings'
/// symbols from their C# sources, so the list it reads is held to what the compiled bindings import,
/// and it must pass on the CUDA stack on the CPU, whose libraries export every binding.
/// </summary>
public sealed class CudaPreflightTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task The_symbols_it_reads_from_the_sources_are_every_import_of_the_compiled_bindings()
    {
        var compiled = new[] { typeof(CudaNative).Assembly, typeof(NvmlNative).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Import: method.GetCustomAttribute<LibraryImportAttribute>()))
            .Where(pair => pair.Import is not null && !pair.Import.LibraryName.StartsWith("libdl", StringComparison.Ordinal))
            .Select(pair => $"{pair.Import!.LibraryName} {pair.Import.EntryPoint ?? pair.Method.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();

        var (exit, output) = await RunAsync(new Dictionary<string, string>(), "--list");

        Assert.True(exit == 0, output);
        Assert.True(compiled.Count > 100, $"only {compiled.Count} imports found by reflection");
        Assert.Equal(compiled, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [CppFact]
    public async Task It_passes_on_the_cuda_stack_on_the_cpu_and_names_what_is_missing_without_it()
    {
        var (exit, output) = await RunAsync(CudaStackOnCpu.Environment);
        var (bareExit, bare) = await RunAsync(new Dictionary<string, string> { ["CATSDOGS_CUDA_LIBS"] = "", ["LD_LIBRARY_PATH"] = "" });

        Assert.True(exit == 0, output);
        Assert.Contains("preflight: every library and symbol the bindings use is there", output);
        Assert.Matches(@"preflight libcudnn\.so\.9: .*libcudnn\.so\.9: all \d+ symbols", output);
        if (!File.Exists("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
        {
            Assert.True(bareExit == 1, bare);
            Assert.Contains("preflight libcuda.so.1: NOT LOADED (", bare);
            Assert.Contains("preflight: FAILED", bare);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        await using var child = ChildProcess.Start("python3", [RepoPaths.Of("bench/cuda_preflight.py"), .. arguments], environment, RepoPaths.Root);
        await child.WaitForExitAsync(Limit);
        return (child.ExitCode, child.Output);
    }
}
