using System.Diagnostics;

namespace CatsDogs.Tests.Fixtures;

/// <summary>g++ for tests that build native code: the CUDA kernels for the CPU, stand-ins for GPU libraries.</summary>
internal static class NativeBuild
{
    /// <summary>The C++ compiler, or null where there is none (tests that need it skip).</summary>
    public static string? Compiler { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(folder => Path.Combine(folder, "g++"))
        .FirstOrDefault(File.Exists);

    /// <summary>Builds <paramref name="output"/> (a shared library) from the sources and options given; throws with the compiler's errors.</summary>
    public static void SharedLibrary(string output, params string[] sourcesAndOptions)
    {
        var compiler = Compiler ?? throw new InvalidOperationException("No g++ on PATH.");
        var start = new ProcessStartInfo(compiler, ["-std=c++20", "-O1", "-fPIC", "-shared", "-Wall", "-Werror", .. sourcesAndOptions, "-o", output])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"g++ could not build {Path.GetFileName(output)} (exit {process.ExitCode}):\n{errors.Result}");
        }
    }
}

/// <summary>A fact that needs g++; elsewhere it is skipped with that reason.</summary>
public sealed class CppFactAttribute : FactAttribute
{
    public CppFactAttribute()
    {
        if (NativeBuild.Compiler is null)
        {
            Skip = "no C++ compiler (g++) on PATH";
        }
    }
}
