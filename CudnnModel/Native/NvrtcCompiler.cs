using System.Text;
using static CatsDogs.Model.Native.GpuStatus;

namespace CatsDogs.Model.Native;

/// <summary>
/// Compiles CUDA C++ with NVRTC for one device. The target is a real architecture (CUBIN, no
/// driver JIT) when this NVRTC knows the device's compute capability, otherwise PTX for the
/// newest architecture it knows below it, which the driver compiles on load.
/// </summary>
internal static unsafe class NvrtcCompiler
{
    /// <summary>NVRTC's version, e.g. (13, 0).</summary>
    public static (int Major, int Minor) Version
    {
        get
        {
            int major, minor;
            ThrowIfFailed(NvrtcNative.nvrtcVersion(&major, &minor));
            return (major, minor);
        }
    }

    /// <summary>The architecture option for a device, e.g. "sm_90", or "compute_89" when NVRTC does not know the device's.</summary>
    public static string ArchitectureFor(int major, int minor)
    {
        int count;
        ThrowIfFailed(NvrtcNative.nvrtcGetNumSupportedArchs(&count));
        var supported = new int[count];
        fixed (int* list = supported)
        {
            ThrowIfFailed(NvrtcNative.nvrtcGetSupportedArchs(list));
        }

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
        nint program;
        ThrowIfFailed(NvrtcNative.nvrtcCreateProgram(&program, source, name, 0, 0, 0));
        try
        {
            string[] all = [$"--gpu-architecture={architecture}", .. options];
            var status = NvrtcNative.nvrtcCompileProgram(program, all.Length, all);
            if (status != NvrtcResult.Success)
            {
                ThrowIfFailed(status, $"nvrtcCompileProgram({name}, {string.Join(' ', all)}) with log:\n{Log(program)}\n");
            }

            return architecture.StartsWith("sm_", StringComparison.Ordinal) ? Cubin(program) : Ptx(program);
        }
        finally
        {
            _ = NvrtcNative.nvrtcDestroyProgram(&program);
        }
    }

    private static byte[] Cubin(nint program) => Image(program, &NvrtcNative.nvrtcGetCUBINSize, &NvrtcNative.nvrtcGetCUBIN);

    /// <summary>The PTX including its trailing NUL, which the driver needs to find its end.</summary>
    private static byte[] Ptx(nint program) => Image(program, &NvrtcNative.nvrtcGetPTXSize, &NvrtcNative.nvrtcGetPTX);

    private static byte[] Image(nint program, delegate*<nint, nuint*, NvrtcResult> size, delegate*<nint, byte*, NvrtcResult> read)
    {
        nuint bytes;
        ThrowIfFailed(size(program, &bytes));
        var image = new byte[(int)bytes];
        fixed (byte* target = image)
        {
            ThrowIfFailed(read(program, target));
        }

        return image;
    }

    private static string Log(nint program)
    {
        nuint size;
        if (NvrtcNative.nvrtcGetProgramLogSize(program, &size) != NvrtcResult.Success || size <= 1)
        {
            return "(empty)";
        }

        var log = new byte[(int)size];
        fixed (byte* target = log)
        {
            _ = NvrtcNative.nvrtcGetProgramLog(program, target);
        }

        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }
}
