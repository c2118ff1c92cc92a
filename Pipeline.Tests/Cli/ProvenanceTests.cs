using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Cli;

/// <summary>A run's config.json says where it came from: one session for its start and one for each resume.</summary>
public sealed class ProvenanceTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_run_records_each_session_with_its_build_command_line_host_and_device()
    {
        StripesDataset.Write(_folder, "data", perClass: TinyRun.ImagesPerClass);
        var run = _folder.Combine("runs", "first");
        var before = DateTime.UtcNow.AddSeconds(-1);

        var (exit, output) = await ChildProcess.RunCatsDogsAsync([.. TinyRun.Arguments(_folder, "first"), "--on-finish", "echo it's done"]);
        Assert.True(exit == 0, output);
        (exit, output) = await ChildProcess.RunCatsDogsAsync("train", "--resume", run, "--epochs", "2", "--metrics-listen", "none");
        Assert.True(exit == 0, output);

        var after = DateTime.UtcNow;
        var sessions = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["provenance"]!["sessions"]!.AsArray();
        Assert.Equal(2, sessions.Count);
        var app = Path.Combine(AppContext.BaseDirectory, "catsdogs.dll");
        Assert.Equal($"{app} {string.Join(' ', TinyRun.Arguments(_folder, "first"))} --on-finish 'echo it'\\''s done'", (string)sessions[0]!["commandLine"]!);
        Assert.Equal($"{app} train --resume {run} --epochs 2 --metrics-listen none", (string)sessions[1]!["commandLine"]!);
        var started = sessions.Select(session => DateTime.Parse((string)session!["started"]!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)).ToList();
        Assert.All(started, time => Assert.Equal(DateTimeKind.Utc, time.Kind));
        Assert.InRange(started[0], before, started[1]);
        Assert.InRange(started[1], started[0], after);
        foreach (var session in sessions)
        {
            Assert.Equal(ProgramVersion(), (string)session!["version"]!);
            await AssertCommitOfThisRepositoryAsync((string)session["commit"]!);
            Assert.Equal(Environment.MachineName, (string)session["host"]!);
            var (cpu, cpuInfo) = ((string)session["cpu"]!, File.ReadAllText("/proc/cpuinfo"));
            Assert.True(cpuInfo.Contains($"model name\t: {cpu}\n", StringComparison.Ordinal) || (cpu == "unknown" && !cpuInfo.Contains("model name", StringComparison.Ordinal)), cpu);
            Assert.Equal(Environment.ProcessorCount, (int)session["cpuCores"]!);
            Assert.StartsWith("CPU, 1 thread(s)", (string)session["device"]!);
        }
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>The app's informational version without the commit the SDK appends to it.</summary>
    private static string ProgramVersion() =>
        typeof(CatsDogsCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    /// <summary>A commit of the repository the tests were built from; "unknown" only where they were built outside a git checkout.</summary>
    private static async Task AssertCommitOfThisRepositoryAsync(string commit)
    {
        if (!Path.Exists(RepoPaths.Of(".git")))
        {
            Assert.Equal("unknown", commit);
            return;
        }

        Assert.Matches("^[0-9a-f]{40}$", commit);
        await using var git = ChildProcess.Start("git", ["-C", RepoPaths.Root, "cat-file", "-e", $"{commit}^{{commit}}"], new Dictionary<string, string>());
        await git.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(git.ExitCode == 0, $"{commit} is no commit of {RepoPaths.Root}: {git.Output}");
    }
}
