using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 1: NVRTC (<c>nvrtc.h</c>). The library's soname carries the CUDA major version
/// (<c>libnvrtc.so.12</c> or <c>.13</c>), so this logical name is bound by
/// <see cref="Loading.CudaLibraries"/> to whichever one matches the loaded cuDNN. Nothing here
/// checks a status; <see cref="NvrtcApi"/> (layer 2) is the only caller.
/// </summary>
internal static unsafe partial class NvrtcNative
{
    internal const string LibraryName = "libnvrtc";

    /// <summary>Returns a pointer to static storage: never free it.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint nvrtcGetErrorString(NvrtcResult result);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcVersion(int* major, int* minor);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetNumSupportedArchs(int* count);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetSupportedArchs(int* architectures);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NvrtcResult nvrtcCreateProgram(nint* program, string source, string name, int numHeaders, nint headers, nint includeNames);

    /// <summary>Takes a pointer to the handle, which it clears.</summary>
    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcDestroyProgram(nint* program);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial NvrtcResult nvrtcCompileProgram(nint program, int numOptions, string[] options);

    /// <summary>The size includes the trailing NUL.</summary>
    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetPTXSize(nint program, nuint* size);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetPTX(nint program, byte* ptx);

    /// <summary>0 when the program was compiled for a virtual architecture (compute_XX).</summary>
    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetCUBINSize(nint program, nuint* size);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetCUBIN(nint program, byte* cubin);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetProgramLogSize(nint program, nuint* size);

    [LibraryImport(LibraryName)]
    internal static partial NvrtcResult nvrtcGetProgramLog(nint program, byte* log);
}

/// <summary><c>nvrtcResult</c> (nvrtc.h, 12.6).</summary>
internal enum NvrtcResult
{
    Success = 0,
    OutOfMemory = 1,
    ProgramCreationFailure = 2,
    InvalidInput = 3,
    InvalidProgram = 4,
    InvalidOption = 5,
    Compilation = 6,
    BuiltinOperationFailure = 7,
}
