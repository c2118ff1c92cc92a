using System.Diagnostics;
using System.Runtime.InteropServices;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Tuning.Retune;

/// <summary>
/// <c>retune</c>'s side: finds the process that holds the run folder's lock (a pid in <c>.lock</c>
/// counts only while its lock is held, so a stale or reused pid is never signalled), writes the
/// request, sends SIGHUP and waits for the answer. Every way it can fail is a
/// <see cref="CommandLineError"/> (exit 2), and then nothing was changed, except when the process
/// answers too late: it may still apply the request, and the message says so.
/// </summary>
internal static partial class RetuneClient
{
    private const int Hangup = 1;
    private const int NoSuchProcess = 3;
    private const int NotPermitted = 1;

    public static RetuneMessages.Answer Send(RunFolder run, IReadOnlyDictionary<SettingName, int> settings, TimeSpan timeout)
    {
        var pid = RunLock.HolderOf(run) ?? throw new CommandLineError(
            $"No process runs in '{run.Path}': it finished or stopped{StalePid(run)}. Nothing was changed; a run's settings change only while it runs.");
        var request = new RetuneMessages.Request(Guid.NewGuid().ToString("N"), settings);
        var answerPath = run.File(RetuneMessages.AnswerFile);
        RetuneMessages.WriteAtomically(run, RetuneMessages.RequestFile, RetuneMessages.Write(request));
        if (kill(pid, Hangup) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            File.Delete(run.File(RetuneMessages.RequestFile));
            throw new CommandLineError(error switch
            {
                NoSuchProcess => $"Process {pid} of '{run.Path}' ended a moment ago. Nothing was changed.",
                NotPermitted => $"Process {pid} of '{run.Path}' belongs to another user; only the run's owner can retune it. Nothing was changed.",
                _ => $"Could not signal process {pid} of '{run.Path}' (errno {error}). Nothing was changed.",
            });
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (TryReadAnswer(answerPath, request.Id) is { } answer)
            {
                return answer;
            }

            Thread.Sleep(20);
        }

        throw new CommandLineError($"Process {pid} of '{run.Path}' did not answer within {timeout.TotalSeconds:0.#} s: it may still be starting " +
            "(it answers once its input pipeline runs), stopped (SIGSTOP) or stuck. Nothing was changed, unless it answers later: its settings.csv lists every change.");
    }

    private static RetuneMessages.Answer? TryReadAnswer(string path, string id)
    {
        try
        {
            var answer = RetuneMessages.ReadAnswer(File.ReadAllText(path));
            return answer.Id == id ? answer : null;
        }
        catch (Exception e) when (e is FileNotFoundException or FormatException or InvalidOperationException)
        {
            // No answer yet, or an earlier retune's.
            return null;
        }
    }

    private static string StalePid(RunFolder run)
    {
        var pidFile = run.File(RunLock.FileName);
        return File.Exists(pidFile) ? $" (the pid in its {RunLock.FileName} is left from a process that ended, and was not signalled)" : "";
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
