using System.Globalization;
using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Runs;

/// <summary>
/// One process per run folder: an exclusive flock on the folder itself, which the kernel drops when
/// the process ends however it ends, so a crash never leaves a run locked. The holder's pid is kept
/// in <c>.lock</c> inside the folder, for the message a second process gets, and removed on release.
/// The folder rather than that file is locked because .NET takes a shared flock on every file it
/// opens, which an exclusive lock on the file would refuse to the process that wants to read the pid.
/// The holder ignores SIGHUP, which <c>retune</c> sends it.
/// </summary>
internal sealed partial class RunLock : IDisposable
{
    public const string FileName = ".lock";

    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;
    private const int Shared = 1;
    private const int Exclusive = 2;
    private const int NonBlocking = 4;
    private const int Unlock = 8;
    private const int WouldBlock = 11;

    private readonly string _pidFile;

    // While a process holds a run folder, SIGHUP is retune's signal, which must never end it: not even before its
    // retune listener is ready, when the signal is ignored and retune says the process did not answer.
    private readonly PosixSignalRegistration _hangup = HangupSignal.Register(context => context.Cancel = true);
    private int _descriptor;

    private RunLock(int descriptor, string pidFile) => (_descriptor, _pidFile) = (descriptor, pidFile);

    /// <summary>Locks <paramref name="run"/> for this process, or says which process holds it (a <see cref="Cli.CommandLineError"/>, exit 2).</summary>
    public static RunLock Take(RunFolder run)
    {
        var descriptor = open(run.Path, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the run folder '{run.Path}' to lock it (errno {Marshal.GetLastPInvokeError()}).");
        }

        if (flock(descriptor, Exclusive | NonBlocking) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            _ = close(descriptor);
            if (error != WouldBlock)
            {
                throw new IOException($"Cannot lock the run folder '{run.Path}' (errno {error}).");
            }

            throw new Cli.CommandLineError($"The run folder '{run.Path}' is in use by {Holder(run.File(FileName))}; " +
                "one process at a time may train in a run folder. Wait for it to end, or stop it.");
        }

        var held = new RunLock(descriptor, run.File(FileName));
        try
        {
            File.WriteAllText(held._pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");

            // Only the owner may write the pid that retune signals, even over a .lock a killed process left with other modes.
            File.SetUnixFileMode(held._pidFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pid of the process that holds <paramref name="run"/>'s lock; null when none does, whatever an
    /// old <c>.lock</c> says (its process ended, and its pid may belong to another process by now). The
    /// lock is tried for a moment, shared: a process taking it at that very moment is told the folder is busy.
    /// </summary>
    public static int? HolderOf(RunFolder run)
    {
        var descriptor = open(run.Path, ReadOnly | CloseOnExec);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open the run folder '{run.Path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (flock(descriptor, Shared | NonBlocking) == 0)
            {
                _ = flock(descriptor, Unlock);
                return null;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error != WouldBlock)
            {
                throw new IOException($"Cannot test the lock of the run folder '{run.Path}' (errno {error}).");
            }

            return PidIn(run.File(FileName)) ?? throw new IOException($"The process holding '{run.Path}' has not written its pid yet; try again in a moment.");
        }
        finally
        {
            _ = close(descriptor);
        }
    }

    public void Dispose()
    {
        if (_descriptor < 0)
        {
            return;
        }

        // The pid goes first, while the lock still keeps anyone else from writing theirs.
        File.Delete(_pidFile);
        _hangup.Dispose();
        _ = close(_descriptor);
        _descriptor = -1;
    }

    private static string Holder(string pidFile) => PidIn(pidFile) is { } pid ? $"process {pid}" : "another process";

    private static int? PidIn(string pidFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Between its holder's release and the next taker's write there is no pid to name.
            return null;
        }
    }

    [LibraryImport("libc.so.6", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int flock(int descriptor, int operation);

    [LibraryImport("libc.so.6")]
    private static partial int close(int descriptor);
}
