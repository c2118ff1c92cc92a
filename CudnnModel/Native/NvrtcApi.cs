using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="NvrtcNative"/>: out parameters for what
/// NVRTC writes, strings for source and options, spans for the buffers it fills, each as large
/// as the matching size query said. Every call still returns the status; checking it is
/// <see cref="GpuStatus"/>'s job in the layer above.
/// </summary>
internal static unsafe class NvrtcApi
{
    /// <summary>NVRTC's text for a status; null where it gave none.</summary>
    public static string? GetErrorString(NvrtcResult result) => Marshal.PtrToStringUTF8(NvrtcNative.nvrtcGetErrorString(result));

    public static NvrtcResult Version(out int major, out int minor)
    {
        fixed (int* writtenMajor = &major)
        fixed (int* writtenMinor = &minor)
        {
            return NvrtcNative.nvrtcVersion(writtenMajor, writtenMinor);
        }
    }

    public static NvrtcResult GetNumSupportedArchs(out int count)
    {
        fixed (int* written = &count)
        {
            return NvrtcNative.nvrtcGetNumSupportedArchs(written);
        }
    }

    /// <summary>Fills <paramref name="architectures"/>, which must hold <see cref="GetNumSupportedArchs"/>'s count, with e.g. 75, 80, 90.</summary>
    public static NvrtcResult GetSupportedArchs(Span<int> architectures)
    {
        fixed (int* list = architectures)
        {
            return NvrtcNative.nvrtcGetSupportedArchs(list);
        }
    }

    /// <summary>A program of one source and no headers.</summary>
    public static NvrtcResult CreateProgram(string source, string name, out nint program)
    {
        fixed (nint* written = &program)
        {
            return NvrtcNative.nvrtcCreateProgram(written, source, name, 0, 0, 0);
        }
    }

    /// <summary>Clears <paramref name="program"/>.</summary>
    public static NvrtcResult DestroyProgram(ref nint program)
    {
        fixed (nint* handle = &program)
        {
            return NvrtcNative.nvrtcDestroyProgram(handle);
        }
    }

    public static NvrtcResult CompileProgram(nint program, string[] options) => NvrtcNative.nvrtcCompileProgram(program, options.Length, options);

    /// <summary>The size includes the trailing NUL.</summary>
    public static NvrtcResult GetPtxSize(nint program, out nuint size) => ProgramSize(&NvrtcNative.nvrtcGetPTXSize, program, out size);

    public static NvrtcResult GetPtx(nint program, Span<byte> ptx) => ReadProgram(&NvrtcNative.nvrtcGetPTX, program, ptx);

    /// <summary>0 when the program was compiled for a virtual architecture (compute_XX).</summary>
    public static NvrtcResult GetCubinSize(nint program, out nuint size) => ProgramSize(&NvrtcNative.nvrtcGetCUBINSize, program, out size);

    public static NvrtcResult GetCubin(nint program, Span<byte> cubin) => ReadProgram(&NvrtcNative.nvrtcGetCUBIN, program, cubin);

    /// <summary>The size includes the trailing NUL.</summary>
    public static NvrtcResult GetProgramLogSize(nint program, out nuint size) => ProgramSize(&NvrtcNative.nvrtcGetProgramLogSize, program, out size);

    public static NvrtcResult GetProgramLog(nint program, Span<byte> log) => ReadProgram(&NvrtcNative.nvrtcGetProgramLog, program, log);

    private static NvrtcResult ProgramSize(delegate*<nint, nuint*, NvrtcResult> query, nint program, out nuint size)
    {
        fixed (nuint* written = &size)
        {
            return query(program, written);
        }
    }

    /// <summary>NVRTC writes as many bytes as its size query said, which <paramref name="buffer"/> must hold.</summary>
    private static NvrtcResult ReadProgram(delegate*<nint, byte*, NvrtcResult> read, nint program, Span<byte> buffer)
    {
        fixed (byte* target = buffer)
        {
            return read(program, target);
        }
    }
}
