using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Runs;

/// <summary>
/// SIGHUP handlers that also work in a process started with SIGHUP ignored, as <c>nohup</c> starts one for an overnight
/// run. .NET leaves an inherited "ignore" in place when a handler is registered, so retune's signal would never arrive
/// and every retune would be told the process did not answer. Such an "ignore" is put back to the default just before
/// registering; the handlers cancel the default, so a hangup still never ends the process.
/// </summary>
internal static unsafe partial class HangupSignal
{
    private const int Hangup = 1;
    private const nint Default = 0;
    private const nint Ignore = 1;

    public static PosixSignalRegistration Register(Action<PosixSignalContext> handler)
    {
        // Only an inherited "ignore" is undone: a handler .NET installed earlier must stay. struct sigaction begins with
        // the handler, and 64 words hold all of glibc's (19 on x86-64 and arm64).
        var current = stackalloc nint[64];
        if (sigaction(Hangup, null, current) == 0 && current[0] == Ignore)
        {
            _ = signal(Hangup, Default);
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, handler);
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int sigaction(int signal, void* action, void* previous);

    [LibraryImport("libc.so.6")]
    private static partial nint signal(int signal, nint handler);
}
