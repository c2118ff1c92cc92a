using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Bench;

/// <summary>
/// The whole process's CPU time and context switches from getrusage(RUSAGE_SELF), which, unlike
/// /proc/self/status, also counts the threads that have ended.
/// </summary>
internal readonly partial record struct ProcessUsage(TimeSpan Cpu, long VoluntarySwitches, long InvoluntarySwitches)
{
    private const int Self = 0;

    public long ContextSwitches => VoluntarySwitches + InvoluntarySwitches;

    public static ProcessUsage Now()
    {
        if (getrusage(Self, out var usage) != 0)
        {
            throw new InvalidOperationException($"getrusage failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        var cpu = TimeSpan.FromSeconds(usage.UserSeconds + usage.SystemSeconds) + TimeSpan.FromMicroseconds(usage.UserMicroseconds + usage.SystemMicroseconds);
        return new ProcessUsage(cpu, usage.VoluntarySwitches, usage.InvoluntarySwitches);
    }

    public static ProcessUsage operator -(ProcessUsage later, ProcessUsage earlier) =>
        new(later.Cpu - earlier.Cpu, later.VoluntarySwitches - earlier.VoluntarySwitches, later.InvoluntarySwitches - earlier.InvoluntarySwitches);

    /// <summary>struct rusage on 64-bit Linux: two timevals, then fourteen longs, of which the last two count context switches.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private unsafe fixed long _unused[12];
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);
}
