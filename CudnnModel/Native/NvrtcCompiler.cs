using System.Text;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 3: compiles CUDA C++ with NVRTC for one device, each status checked by
/// <see cref="GpuStatus"/>. The target is a real architecture (CUBIN, no driver JIT) when this
/// NVRTC knows the device's compute capability, otherwise PTX for the newest architecture it
/// knows below it, which the driver compiles on load.
/// </summary>
internal static class NvrtcCompiler
{
    /// <summary>NVRTC's version, e.g. (13, 0).</summary>
    public static (int Major, int Minor) Version
    {
        get
        {
            ThrowIfFailed(NvrtcApi.Version(out var major, out var minor), "nvrtcVersion");
            return (major, minor);
        }
    }

    /// <summary>The architecture option for a device, e.g. "sm_90", or "compute_89" when NVRTC does not know the device's.</summary>
    public static string ArchitectureFor(int major, int minor)
    {
        ThrowIfFailed(NvrtcApi.GetNumSupportedArchs(out var count), "nvrtcGetNumSupportedArchs");
        var supported = new int[count];
        ThrowIfFailed(NvrtcApi.GetSupportedArchs(supported), "nvrtcGetSupportedArchs");
        return Choose(supported, major * 10 + minor);
    }

    /// <summary>sm_XY when supported; else compute_ of the newest supported below the device; else the device's own.</summary>
    internal static string Choose(IReadOnlyCollection<int> supported, int device)
    {
        if (supported.Contains(device))
        {
            return $"sm_{device}";
        }

        var below = supported.Where(a => a < device).DefaultIfEmpty(device).Max();
        return $"compute_{below}";
    }

    /// <summary>Compiles <paramref name="source"/> and returns the image to load: CUBIN, or NUL-terminated PTX.</summary>
    public static byte[] Compile(string source, string name, string architecture, IEnumerable<string> options)
    {
        ThrowIfFailed(NvrtcApi.CreateProgram(source, name, out var program), "nvrtcCreateProgram");
        try
        {
            string[] all = [$"--gpu-architecture={architecture}", .. options];
            var status = NvrtcApi.CompileProgram(program, all);
            if (status != NvrtcResult.Success)
            {
                ThrowIfFailed(status, $"nvrtcCompileProgram({name}, {string.Join(' ', all)}) with log:\n{Log(program)}\n");
            }

            return architecture.StartsWith("sm_", StringComparison.Ordinal) ? Cubin(program) : Ptx(program);
        }
        finally
        {
            _ = NvrtcApi.DestroyProgram(ref program);
        }
    }

    private static unsafe byte[] Cubin(nint program) => Image(program, &NvrtcApi.GetCubinSize, &NvrtcApi.GetCubin, "nvrtcGetCUBIN");

    /// <summary>The PTX including its trailing NUL, which the driver needs to find its end.</summary>
    private static unsafe byte[] Ptx(nint program) => Image(program, &NvrtcApi.GetPtxSize, &NvrtcApi.GetPtx, "nvrtcGetPTX");

    /// <param name="call">The C function that <paramref name="read"/> calls; its size query's name is the same with "Size" added.</param>
    private static unsafe byte[] Image(nint program, delegate*<nint, out nuint, NvrtcResult> size, delegate*<nint, Span<byte>, NvrtcResult> read, string call)
    {
        ThrowIfFailed(size(program, out var bytes), $"{call}Size");
        var image = new byte[(int)bytes];
        ThrowIfFailed(read(program, image), call);
        return image;
    }

    /// <summary>For a compile error's message, so never a throw of its own: "(empty)" where NVRTC has no log to give.</summary>
    private static string Log(nint program)
    {
        if (NvrtcApi.GetProgramLogSize(program, out var size) != NvrtcResult.Success || size <= 1)
        {
            return "(empty)";
        }

        var log = new byte[(int)size];
        _ = NvrtcApi.GetProgramLog(program, log);
        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }
}
