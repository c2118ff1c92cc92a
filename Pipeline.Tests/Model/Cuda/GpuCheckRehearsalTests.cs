using System.Runtime.Versioning;
using System.Text;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// bench/gpu-check.sh, the one script a GPU machine runs, rehearsed on the CUDA stack on the CPU
/// with GPU_CHECK_REHEARSAL's toy sizes: every catsdogs step must pass and its figures must reach
/// the table, so that a change to an output the script reads cannot waste a device run.
/// </summary>
public sealed class GpuCheckRehearsalTests : IDisposable
{
    /// <summary>A guard against a hang, past the script's own deadline when rehearsing (5 × 475 s).</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(45);

    private readonly TempFolder _folder = new();

    [CppFact]
    [SupportedOSPlatform("linux")]
    public async Task Every_catsdogs_step_passes_and_reaches_the_summary_table()
    {
        // The device machine runs a self-contained binary; here the app built beside the tests stands in for it.
        var binary = _folder.Write("catsdogs", Encoding.UTF8.GetBytes($"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "catsdogs.dll")}' \"$@\"\n"));
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        StripesDataset.Write(_folder, Path.Combine("data", "train"), perClass: 24, side: 16);
        var tarball = _folder.Combine("train.tar.gz");
        var (packed, packing) = await RunAsync("tar", ["-czf", tarball, "-C", _folder.Combine("data"), "train"], []);
        Assert.True(packed == 0, packing);

        var environment = CudaStackOnCpu.Environment;
        environment["GPU_CHECK_REHEARSAL"] = "1";
        environment["OUT"] = _folder.Combine("out");
        var (exit, output) = await RunAsync("bash", [RepoPaths.Of("bench/gpu-check.sh"), binary, tarball], environment);

        var table = output.Split('\n').SkipWhile(line => !line.StartsWith("================ catsdogs GPU check", StringComparison.Ordinal)).ToList();
        Assert.True(exit == 0 && table.Count > 0, output);
        string Row(string name) => table.Single(line => line.StartsWith(name, StringComparison.Ordinal));
        Assert.Matches(@"^preflight \(libraries, symbols\)\s+every library and symbol the bindings use is there; exit 0,", Row("preflight"));
        Assert.Matches(@"^selftest\s+exit 0,", Row("selftest"));
        Assert.Matches(@"^repeatable runs \(default algos\)\s+the losses part at step \d+ \(allowed without --deterministic", Row("repeatable runs"));
        Assert.Matches(@"^bench baseline b8 \(ours\)\s+[0-9.]+ images/s, [0-9.]+ TFLOP/s; exit 0,", Row("bench baseline b8"));
        Assert.Matches(@"^bench baseline --deterministic\s+[0-9.]+ images/s, [0-9.]+x of the default; exit 0,", Row("bench baseline --deterministic"));
        Assert.Matches(@"^bench compact b8 \(ours\)\s+[0-9.]+ images/s, [0-9.]+ TFLOP/s; exit 0,", Row("bench compact b8"));
        Assert.Matches(@"^bench resnet9 b8 \(ours\)\s+[0-9.]+ images/s, [0-9.]+ TFLOP/s; exit 0,", Row("bench resnet9 b8"));
        Assert.Matches(@"^train 8 epochs baseline\s+exit 0, \d+ s; [0-9]+ images/s \(last epoch\)", Row("train"));
        Assert.Matches(@"^mean GPU utilization \(gpu\.csv\)\s+\d+ % \(\d+ samples\)", Row("mean GPU utilization"));
        Assert.Matches(@"^input wait fraction \(metrics\)\s+[0-9.]+ %", Row("input wait"));
        Assert.Matches(@"^input sweep, decoding \(cache off\)\s+exit 0,", Row("input sweep"));
        Assert.Matches(@"^input pass from the memory cache\s+[0-9.]+ images/s with \d+ threads; exit 0,", Row("input pass from"));
        Assert.Matches(@"^tune baseline \(chosen setting\)\s+batch \d+, \d+ threads?, prefetch \d+, cache (off|memory|disk): [0-9.]+ images/s, input wait [0-9.]+ %; \d+ trials; exit 0,",
            Row("tune baseline"));
        // The sweep's own table follows, a row per thread count from 1 to the cores.
        Assert.Equal(
            Enumerable.Range(1, Environment.ProcessorCount),
            table.Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s+\d+\s+\d+\s+[0-9.]+\s+\d+\s")).Select(line => int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0])));

        // What the device runner brings back from OUT: at most 8 files, none deeper than two folders, plainly named.
        var returned = Directory.GetFiles(_folder.Combine("out"), "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(_folder.Combine("out"), file)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["gpu-check/bench-baseline.log", "gpu-check/bench-compact.log", "gpu-check/gpu.csv", "gpu-check/metrics.csv",
            "gpu-check/selftest.log", "gpu-check/table.txt", "gpu-check/torch-baseline.log", "gpu-check/train.log"], returned);
        Assert.Equal(table, File.ReadAllLines(_folder.Combine("out", "gpu-check", "table.txt"))
            .SkipWhile(line => !line.StartsWith("================ catsdogs GPU check", StringComparison.Ordinal)));
        // The machine's lines come again just before the table, where the returned output's tail keeps them.
        var lines = output.Split('\n');
        var header = Array.FindIndex(lines, line => line.StartsWith("================ catsdogs GPU check", StringComparison.Ordinal));
        Assert.Contains(lines[..header].Reverse().TakeWhile(line => line.Length > 0), line => line.StartsWith("LD_LIBRARY_PATH=", StringComparison.Ordinal));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Runs a program from the repository root; one that outlives <see cref="Limit"/> is killed with its children.</summary>
    private static async Task<(int Exit, string Output)> RunAsync(string program, string[] arguments, Dictionary<string, string> environment)
    {
        await using var child = ChildProcess.Start(program, arguments, environment, RepoPaths.Root);
        await child.WaitForExitAsync(Limit);
        return (child.ExitCode, child.Output);
    }
}
