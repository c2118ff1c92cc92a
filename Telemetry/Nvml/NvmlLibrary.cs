using System.Runtime.InteropServices;
using System.Text;
using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Telemetry.Nvml;

/// <summary>
/// The one place that loads <c>libnvidia-ml.so.1</c>. It tries the loader's own search first, then the
/// directories drivers and container runtimes put it in, keeps a line per attempt, and answers
/// "not available" with that trace instead of letting the first P/Invoke throw.
/// Thread-safety: <see cref="EnsureLoaded"/> loads once per process behind a <see cref="Lazy{T}"/>.
/// </summary>
internal static class NvmlLibrary
{
    /// <summary>The bare soname (ld.so.cache, LD_LIBRARY_PATH), then Debian/Ubuntu, RHEL, NVIDIA container toolkit and WSL2 locations.</summary>
    internal static readonly string[] DefaultCandidates =
    [
        NvmlNative.LibraryName,
        "/usr/lib/x86_64-linux-gnu/" + NvmlNative.LibraryName,
        "/usr/lib64/" + NvmlNative.LibraryName,
        "/usr/local/nvidia/lib64/" + NvmlNative.LibraryName,
        "/usr/lib/wsl/lib/" + NvmlNative.LibraryName,
    ];

    private static readonly Lazy<(nint Handle, string Trace, bool Present)> Loaded = new(LoadAndRegister);

    /// <summary>
    /// Loads NVML if it is not loaded yet; throws <see cref="NvmlException"/>: a short reason where
    /// no NVIDIA driver is installed at all (most machines without a GPU), else the trace of every path tried.
    /// </summary>
    public static void EnsureLoaded()
    {
        var (handle, trace, present) = Loaded.Value;
        if (handle == 0)
        {
            throw new NvmlException(NvmlReturn.LibraryNotFound, present
                ? $"{NvmlNative.LibraryName} could not be loaded; tried: {trace}"
                : $"no NVIDIA driver here ({NvmlNative.LibraryName} is not installed)");
        }
    }

    /// <summary>
    /// Tries each candidate in order; returns the first handle that loads, or 0, what each attempt
    /// said, and whether any candidate exists at all (one that exists but fails is worth the trace).
    /// </summary>
    internal static nint TryLoad(IReadOnlyList<string> candidates, out string trace, out bool present)
    {
        var attempts = new StringBuilder();
        present = false;
        foreach (var candidate in candidates)
        {
            bool isPath = candidate.Contains('/');
            if (isPath && !File.Exists(candidate))
            {
                Append(attempts, candidate, "no such file");
                continue;
            }

            try
            {
                var handle = NativeLibrary.Load(candidate);
                (trace, present) = (attempts.ToString(), true);
                return handle;
            }
            catch (DllNotFoundException e)
            {
                var says = LoaderSays(e.Message);
                present |= isPath || !says.Contains("No such file or directory", StringComparison.Ordinal);
                Append(attempts, candidate, says);
            }
            catch (BadImageFormatException e)
            {
                present = true;
                Append(attempts, candidate, LoaderSays(e.Message));
            }
        }

        trace = attempts.ToString();
        return 0;
    }

    private static (nint, string, bool) LoadAndRegister()
    {
        var handle = TryLoad(DefaultCandidates, out var trace, out var present);
        if (handle != 0)
        {
            // Once per assembly is all the runtime allows; NVML is the only native library Telemetry imports.
            NativeLibrary.SetDllImportResolver(typeof(NvmlLibrary).Assembly, (name, _, _) => name == NvmlNative.LibraryName ? handle : 0);
        }

        return (handle, trace, present);
    }

    private static void Append(StringBuilder attempts, string candidate, string outcome) =>
        attempts.Append(attempts.Length == 0 ? "" : "; ").Append(candidate).Append(": ").Append(outcome);

    /// <summary>
    /// The runtime's message opens with generic advice ("consider using a tool like strace") and then
    /// gives dlerror's line per name it tried; those lines are the reason.
    /// </summary>
    private static string LoaderSays(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 ? string.Join(" | ", lines.Skip(1).Distinct()) : message.Trim();
    }
}
