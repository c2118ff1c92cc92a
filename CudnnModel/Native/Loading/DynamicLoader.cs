using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native.Loading;

/// <summary>
/// Asks the dynamic loader whether a library is loaded, without loading it. libdl.so.2 rather
/// than libc: glibc before 2.34 has dlopen only there, and later ones keep it for compatibility.
/// </summary>
internal static partial class DynamicLoader
{
    private const int Lazy = 0x1;
    private const int NoLoad = 0x4;

    /// <summary>Whether <paramref name="file"/> (a path, or a soname as the loader searches it) is in the process.</summary>
    public static bool IsLoaded(string file)
    {
        var handle = dlopen(file, Lazy | NoLoad);
        if (handle == 0)
        {
            return false;
        }

        // NoLoad still counts a reference; give it back.
        _ = dlclose(handle);
        return true;
    }

    /// <summary>The folder the dynamic loader found a loaded library in (dlinfo's RTLD_DI_ORIGIN); null where it cannot say.</summary>
    public static unsafe string? FolderOf(nint handle)
    {
        const int Origin = 6;
        const int PathMax = 4096;
        var folder = stackalloc byte[PathMax];
        return dlinfo(handle, Origin, folder) == 0 ? Marshal.PtrToStringUTF8((nint)folder) : null;
    }

    [LibraryImport("libdl.so.2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);

    [LibraryImport("libdl.so.2")]
    private static partial int dlclose(nint handle);

    [LibraryImport("libdl.so.2")]
    private static unsafe partial int dlinfo(nint handle, int request, void* info);
}
