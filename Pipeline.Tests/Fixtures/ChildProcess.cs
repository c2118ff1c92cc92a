using System.Collections.Concurrent;
using System.Diagnostics;

namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// A program the tests run, usually the real <c>catsdogs</c> app (built next to the tests) running a
/// verb; its standard output and error are collected line by line, and it is killed with its
/// children on dispose if still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess CatsDogs(params string[] args) => CatsDogs(new Dictionary<string, string>(), args);

    /// <summary>Runs the app to its end (at most two minutes); its exit code and everything it wrote.</summary>
    public static async Task<(int Exit, string Output)> RunCatsDogsAsync(params string[] args)
    {
        await using var app = CatsDogs(args);
        await app.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (app.ExitCode, app.Output);
    }

    /// <param name="environment">Variables set for the app on top of this process's environment.</param>
    public static ChildProcess CatsDogs(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start("dotnet", [System.IO.Path.Combine(AppContext.BaseDirectory, "catsdogs.dll"), .. args], environment);

    /// <param name="environment">Variables set for the program on top of this process's environment.</param>
    public static ChildProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start"));
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
