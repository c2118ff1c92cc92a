using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CatsDogs.Tests.Fixtures;

/// <summary>g++ for tests that build native code: the CUDA kernels for the CPU, stand-ins for GPU libraries.</summary>
internal static class NativeBuild
{
    // Before Compiler: static initialisers run in the order they are written, and Find uses it.
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(2);

    /// <summary>g++ 11 or newer (C++20), or null where there is none: tests that need it skip.</summary>
    public static string? Compiler { get; } = Find();

    /// <summary>Why tests that build native code cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        RuntimeInformation.ProcessArchitecture != Architecture.X64 ? "the CUDA emulation switches fiber stacks with x86-64 assembly"
        : Compiler is null ? "no C++ compiler (g++ 11 or newer) on PATH"
        : null;

    /// <summary>Builds <paramref name="output"/> (a shared library) from the sources and options given; throws with the compiler's errors.</summary>
    public static void SharedLibrary(string output, params string[] sourcesAndOptions)
    {
        var compiler = Compiler ?? throw new InvalidOperationException("No g++ on PATH.");
        // -fno-gnu-unique: each library keeps its own inline globals (the emulation's running block), which
        // g++ would otherwise merge across every library loaded in the process.
        var (exit, errors) = Run(compiler, ["-std=c++20", "-O1", "-fPIC", "-shared", "-Wall", "-fno-gnu-unique", .. sourcesAndOptions, "-o", output]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"g++ could not build {Path.GetFileName(output)} (exit {exit}):\n{errors}");
        }
    }

    private static string? Find()
    {
        var compiler = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "g++"))
            .FirstOrDefault(File.Exists);
        if (compiler is null)
        {
            return null;
        }

        var (exit, version) = Run(compiler, ["-dumpversion"]);
        return exit == 0 && int.TryParse(version.Split('.')[0], out var major) && major >= 11 ? compiler : null;
    }

    /// <summary>The exit code and standard output (standard error where the run failed).</summary>
    private static (int Exit, string Text) Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(BuildLimit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{Path.GetFileName(program)} did not finish within {BuildLimit.TotalMinutes:F0} minutes");
        }

        return process.ExitCode == 0 ? (0, output.Result.Trim()) : (process.ExitCode, errors.Result);
    }
}

/// <summary>A fact that needs g++ on x86-64; elsewhere it is skipped with the reason.</summary>
public sealed class CppFactAttribute : FactAttribute
{
    public CppFactAttribute() => Skip = NativeBuild.SkipReason;
}

/// <summary>A theory that needs g++ on x86-64; elsewhere it is skipped with the reason.</summary>
public sealed class CppTheoryAttribute : TheoryAttribute
{
    public CppTheoryAttribute() => Skip = NativeBuild.SkipReason;
}
