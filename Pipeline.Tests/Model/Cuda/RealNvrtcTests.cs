using System.Runtime.InteropServices;
using System.Text;
using CatsDogs.Model.Backends.Cuda;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// Kernels.cu through a real NVRTC where one is installed (Debian's non-free libnvrtc11.2, or a
/// CUDA toolkit's): NVRTC compiles without a GPU, so the source's CUDA dialect and the options
/// CudaKernels passes are checked by NVIDIA's compiler, not only by g++ building the CUDA stack on
/// the CPU (tests/cuda-on-cpu/kernels/cuda_on_cpu.h).
/// </summary>
public sealed unsafe class RealNvrtcTests
{
    [NvrtcFact]
    public void The_kernels_compile_without_a_diagnostic_for_the_newest_architecture_nvrtc_knows()
    {
        var nvrtc = NativeLibrary.Load(NvrtcFactAttribute.Installed!);
        try
        {
            CompilesCleanly(nvrtc);
        }
        finally
        {
            NativeLibrary.Free(nvrtc);
        }
    }

    private static void CompilesCleanly(nint nvrtc)
    {
        int count;
        Assert.Equal(0, ((delegate* unmanaged<int*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetNumSupportedArchs"))(&count));
        var supported = new int[count];
        fixed (int* list = supported)
        {
            Assert.Equal(0, ((delegate* unmanaged<int*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetSupportedArchs"))(list));
        }

        var (status, log, cubinBytes) = Compile(nvrtc, [$"--gpu-architecture=sm_{supported.Max()}", .. CudaKernels.CompileOptions]);

        Assert.True(status == 0, $"nvrtcCompileProgram returned {status}:\n{log}");
        Assert.Equal("", log.Trim());
        Assert.True(cubinBytes > 0);
    }

    private static (int Status, string Log, nuint CubinBytes) Compile(nint nvrtc, string[] options)
    {
        var create = (delegate* unmanaged<nint*, byte*, byte*, int, nint, nint, int>)NativeLibrary.GetExport(nvrtc, "nvrtcCreateProgram");
        var compile = (delegate* unmanaged<nint, int, byte**, int>)NativeLibrary.GetExport(nvrtc, "nvrtcCompileProgram");
        var logSize = (delegate* unmanaged<nint, nuint*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetProgramLogSize");
        var getLog = (delegate* unmanaged<nint, byte*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetProgramLog");
        var cubinSize = (delegate* unmanaged<nint, nuint*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcGetCUBINSize");
        var destroy = (delegate* unmanaged<nint*, int>)NativeLibrary.GetExport(nvrtc, "nvrtcDestroyProgram");

        var utf8 = options.Select(option => Encoding.UTF8.GetBytes(option + "\0")).ToArray();
        var handles = utf8.Select(bytes => GCHandle.Alloc(bytes, GCHandleType.Pinned)).ToArray();
        try
        {
            nint program;
            fixed (byte* source = Encoding.UTF8.GetBytes(CudaKernels.Source + "\0"), name = "catsdogs_kernels.cu\0"u8)
            {
                Assert.Equal(0, create(&program, source, name, 0, 0, 0));
            }

            var pointers = handles.Select(handle => handle.AddrOfPinnedObject()).ToArray();
            int status;
            fixed (nint* list = pointers)
            {
                status = compile(program, pointers.Length, (byte**)list);
            }

            nuint size, cubin = 0;
            Assert.Equal(0, logSize(program, &size));
            var log = new byte[(int)size];
            fixed (byte* target = log)
            {
                Assert.Equal(0, getLog(program, target));
            }

            if (status == 0)
            {
                Assert.Equal(0, cubinSize(program, &cubin));
            }

            Assert.Equal(0, destroy(&program));
            return (status, Encoding.UTF8.GetString(log).TrimEnd('\0'), cubin);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }
}

/// <summary>A fact that needs an NVRTC library the dynamic loader can find; elsewhere skipped with that reason.</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    private static readonly string[] Sonames = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2"];

    public NvrtcFactAttribute()
    {
        if (Installed is null)
        {
            Skip = $"no NVRTC library ({string.Join(", ", Sonames)}) installed";
        }
    }

    /// <summary>The newest NVRTC's soname, or null.</summary>
    public static string? Installed { get; } = Sonames.FirstOrDefault(soname =>
    {
        if (!NativeLibrary.TryLoad(soname, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    });
}
