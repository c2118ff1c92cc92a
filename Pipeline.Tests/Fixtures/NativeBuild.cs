using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CatsDogs.Tests.Fixtures;

/// <summary>g++ and make for tests that build native code: the CUDA stack on the CPU, fakes of GPU libraries.</summary>
internal static class NativeBuild
{
    // Before Compiler: static initialisers run in the order they are written, and FindCompiler runs g++ with it.
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(2);

    /// <summary>g++ 11 or newer (C++20), or null where there is none: tests that need it skip.</summary>
    public static string? Compiler { get; } = FindCompiler();

    /// <summary>make, which builds the CUDA stack on the CPU (tests/cuda-on-cpu/Makefile), or null where there is none.</summary>
    public static string? MakeTool { get; } = OnPath("make");

    /// <summary>Why tests that build native code cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        RuntimeInformation.ProcessArchitecture != Architecture.X64 ? "the CUDA stack on the CPU switches fiber stacks with x86-64 assembly"
        : Compiler is null ? "no C++ compiler (g++ 11 or newer) on PATH"
        : MakeTool is null ? "no make on PATH"
        : null;

    /// <summary>Builds <paramref name="output"/> (a shared library) from the sources and options given; throws with the compiler's errors.</summary>
    public static void SharedLibrary(string output, params string[] sourcesAndOptions)
    {
        var compiler = Compiler ?? throw new InvalidOperationException("No g++ on PATH.");
        var (exit, errors) = Run(compiler, ["-std=c++20", "-O1", "-fPIC", "-shared", "-Wall", .. sourcesAndOptions, "-o", output]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"g++ could not build {Path.GetFileName(output)} (exit {exit}):\n{errors}");
        }
    }

    /// <summary>
    /// Runs make in <paramref name="folder"/> with the arguments given (goals, VARIABLE=value), a job
    /// per core and <see cref="Compiler"/> as CXX; throws with its errors.
    /// </summary>
    public static void Make(string folder, params string[] arguments)
    {
        var make = MakeTool ?? throw new InvalidOperationException("No make on PATH.");
        var compiler = Compiler ?? throw new InvalidOperationException("No g++ on PATH.");
        var (exit, errors) = Run(make, ["-C", folder, $"-j{Environment.ProcessorCount}", $"CXX={compiler}", .. arguments]);
        if (exit != 0)
        {
            throw new InvalidOperationException($"make in {folder} failed (exit {exit}):\n{errors}");
        }
    }

    private static string? FindCompiler()
    {
        var compiler = OnPath("g++");
        if (compiler is null)
        {
            return null;
        }

        var (exit, version) = Run(compiler, ["-dumpversion"]);
        return exit == 0 && int.TryParse(version.Split('.')[0], out var major) && major >= 11 ? compiler : null;
    }

    private static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

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

/// <summary>A fact that needs g++ and make on x86-64; elsewhere it is skipped with the reason.</summary>
public sealed class CppFactAttribute : FactAttribute
{
    public CppFactAttribute() => Skip = NativeBuild.SkipReason;
}

/// <summary>A theory that needs g++ and make on x86-64; elsewhere it is skipped with the reason.</summary>
public sealed class CppTheoryAttribute : TheoryAttribute
{
    public CppTheoryAttribute() => Skip = NativeBuild.SkipReason;
}
