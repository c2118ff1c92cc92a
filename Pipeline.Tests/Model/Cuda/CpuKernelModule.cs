using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The kernel source embedded in CudnnModel, compiled for the CPU with g++ and
/// CpuEmulation/cuda_on_cpu.h, behind the interface CudaKernels launches through: the kernels'
/// formulas, index arithmetic, shared-memory reductions and argument packing run without a GPU.
/// Each source is built once per test run; launches run one at a time (the emulation's state is
/// global); counts launches per kernel so a test can tell that each one ran.
/// </summary>
internal sealed unsafe class CpuKernelModule : IKernelModule
{
    private static readonly ConcurrentDictionary<string, Lazy<nint>> Libraries = new();

    private readonly delegate* unmanaged<nint*, byte*, int> _function;
    private readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> _launch;
    private readonly ConcurrentDictionary<nint, string> _names = new();
    private readonly ConcurrentDictionary<string, int> _launches = new();

    /// <param name="source">The kernels to build: by default the embedded Kernels.cu.</param>
    public CpuKernelModule(string? source = null)
    {
        source ??= CudaKernels.Source;
        var library = Libraries.GetOrAdd(source, text => new Lazy<nint>(() => Build(text))).Value;
        _function = (delegate* unmanaged<nint*, byte*, int>)NativeLibrary.GetExport(library, "emu_function");
        _launch = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)NativeLibrary.GetExport(library, "emu_launch");
    }

    public IReadOnlyDictionary<string, int> Launches => _launches;

    public nint Function(string name)
    {
        nint function;
        var utf8 = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* text = utf8)
        {
            if (_function(&function, text) != 0)
            {
                throw new InvalidOperationException($"The CPU build of the kernels has no kernel named '{name}'.");
            }
        }

        _names[function] = name;
        return function;
    }

    public void Launch(nint function, uint blocks, uint threads, nint stream, void** args)
    {
        var status = _launch(function, blocks, 1, 1, threads, 1, 1, 0, stream, args, null);
        if (status != 0)
        {
            throw new InvalidOperationException($"The emulated launch of {_names[function]} ({blocks} x {threads}) failed with {status}.");
        }

        _launches.AddOrUpdate(_names[function], 1, (_, count) => count + 1);
    }

    public void Dispose()
    {
    }

    private static nint Build(string kernels)
    {
        var emulation = Path.Combine(AppContext.BaseDirectory, "Model", "Cuda", "CpuEmulation");
        var folder = Directory.CreateTempSubdirectory("catsdogs-kernels-").FullName;
        try
        {
            var source = Path.Combine(folder, "Kernels.cu");
            File.WriteAllText(source, kernels);
            var library = Path.Combine(folder, "libkernels.so");
            NativeBuild.SharedLibrary(library, "-ffp-contract=off", "-pthread", $"-DKERNELS_SOURCE=\"{source}\"", "-I", emulation,
                Path.Combine(emulation, "kernel_host.cpp"));
            return NativeLibrary.Load(library);
        }
        finally
        {
            // The loaded library stays mapped after its file is gone.
            Directory.Delete(folder, recursive: true);
        }
    }
}
