using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// A program the tests run, usually the real <c>catsdogs</c> app (built next to the tests) running a
/// verb; its standard output and error are collected line by line, a test can wait for a line,
/// and it is killed with its children on dispose if still running.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    // Both guarded by _lines, so that no line slips between a waiter's look at the lines so far and its wait for those to come.
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];

    private ChildProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

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
        Start("dotnet", [CatsDogsDll, .. args], environment);

    /// <summary>The app started as `nohup` starts it: with SIGHUP ignored, which its children inherit.</summary>
    public static ChildProcess CatsDogsUnderNohup(params string[] args) => Start("nohup", ["dotnet", CatsDogsDll, .. args], new Dictionary<string, string>());

    private static string CatsDogsDll => System.IO.Path.Combine(AppContext.BaseDirectory, "catsdogs.dll");

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

    /// <summary>
    /// The first line of standard output or error, written so far or from now on, that matches
    /// <paramref name="pattern"/>. Throws if the program ends without one, or if none comes within
    /// <paramref name="timeout"/> (a guard against a hang, not a measure: give it minutes).
    /// </summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            if (_lines.Select(line => pattern.Match(line)).FirstOrDefault(match => match.Success) is { } written)
            {
                return written;
            }

            _waiters.Add((pattern, found));
        }

        // The exit is awaited only once the program's output is read to its end, so a last line that matches is never missed.
        using var guard = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(guard.Token);
        await Task.WhenAny(found.Task, exited);
        if (found.Task.IsCompletedSuccessfully)
        {
            return found.Task.Result;
        }

        throw exited.IsCanceled
            ? new TimeoutException($"no line matching '{pattern}' within {timeout}; the program wrote:\n{Output}")
            : new InvalidOperationException($"the program exited with {_process.ExitCode} without a line matching '{pattern}'; it wrote:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var (pattern, found) = _waiters[i];
                if (pattern.Match(line) is { Success: true } match)
                {
                    found.TrySetResult(match);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
