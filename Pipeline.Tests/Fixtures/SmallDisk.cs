using System.Diagnostics;

namespace CatsDogs.Tests.Fixtures;

/// <summary>
/// A real, nearly full disk: a tmpfs of a few KiB mounted on a temp folder, so that writes fail with
/// ENOSPC as a full disk's do. Needs root with CAP_SYS_ADMIN, as the project's machines and CI run.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly TempFolder _mountPoint = new();

    private SmallDisk(int kilobytes)
    {
        var (exit, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", _mountPoint.Path);
        if (exit != 0)
        {
            _mountPoint.Dispose();
            throw new InvalidOperationException($"mount failed: {output}");
        }
    }

    public string Path => _mountPoint.Path;

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? SkipReason { get; } = Probe();

    public static SmallDisk Mount(int kilobytes) => new(kilobytes);

    public void Dispose()
    {
        Run("umount", Path);
        _mountPoint.Dispose();
    }

    private static string? Probe()
    {
        try
        {
            using var disk = new SmallDisk(4);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {e.Message}";
        }
    }

    private static (int Exit, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Trim());
    }
}

/// <summary>A fact that needs <see cref="SmallDisk"/>; skipped, with the reason, where no tmpfs can be mounted.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute() => Skip = SmallDisk.SkipReason;
}
