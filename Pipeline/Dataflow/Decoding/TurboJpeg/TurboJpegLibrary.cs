using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;

/// <summary>What loading libturbojpeg found: the library (its handle and file), or why not, with every place tried.</summary>
internal sealed record TurboJpegLoad(nint Handle, string? File, string Reason)
{
    public bool Loaded => Handle != 0;
}

/// <summary>
/// The one place that loads libturbojpeg: by soname first (the system's, Debian's libturbojpeg0), then
/// from the folder of catsdogs itself, where the GPU bundle carries a copy because the GPU machine may
/// have none. A library that loads but lacks a function the bindings use is passed over.
/// Thread-safety: <see cref="Shared"/> loads once per process behind a <see cref="Lazy{T}"/>, and only
/// that load registers the assembly's import resolver (the runtime allows one).
/// </summary>
internal static class TurboJpegLibrary
{
    public const string Soname = "libturbojpeg.so.0";

    private static readonly Lazy<TurboJpegLoad> Loaded = new(LoadAndRegister);

    /// <summary>The soname, then the same file beside the program.</summary>
    public static IReadOnlyList<string> DefaultCandidates => [Soname, Path.Combine(AppContext.BaseDirectory, Soname)];

    public static TurboJpegLoad Shared => Loaded.Value;

    /// <summary>Tries each candidate in order (a bare name goes through the loader's search); does not register anything.</summary>
    public static TurboJpegLoad Load(IReadOnlyList<string> candidates)
    {
        var trace = new List<string>();
        foreach (var candidate in candidates)
        {
            if (candidate.Contains('/') && !System.IO.File.Exists(candidate))
            {
                trace.Add($"{candidate}: no such file");
                continue;
            }

            if (!NativeLibrary.TryLoad(candidate, out var handle))
            {
                trace.Add($"{candidate}: the loader could not open it");
                continue;
            }

            var missing = TurboJpegNative.Exports.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
            if (missing.Count == 0)
            {
                return new TurboJpegLoad(handle, LoadedFile(candidate), "");
            }

            trace.Add($"{candidate}: lacks {string.Join(", ", missing)}");
            NativeLibrary.Free(handle);
        }

        return new TurboJpegLoad(0, null, $"{Soname} did not load (tried: {string.Join("; ", trace)})");
    }

    private static TurboJpegLoad LoadAndRegister()
    {
        var load = Load(DefaultCandidates);
        if (load.Loaded)
        {
            NativeLibrary.SetDllImportResolver(typeof(TurboJpegLibrary).Assembly, (name, _, _) => name == TurboJpegNative.LibraryName ? load.Handle : 0);
        }

        return load;
    }

    /// <summary>
    /// The file the loader really opened, through its links (libturbojpeg.so.0.2.0): it stands for the
    /// decoder's version, which TurboJPEG 2.x has no call for. A soname is looked up in the process's
    /// mappings, where the loader has put the file it chose.
    /// </summary>
    private static string LoadedFile(string candidate)
    {
        var path = candidate.Contains('/')
            ? candidate
            : System.IO.File.ReadLines("/proc/self/maps")
                .Select(line => line[(line.IndexOf('/') is var slash and >= 0 ? slash : line.Length)..])
                .FirstOrDefault(mapped => Path.GetFileName(mapped).StartsWith("libturbojpeg.so", StringComparison.Ordinal)) ?? candidate;
        return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
    }
}
