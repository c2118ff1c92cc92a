using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native;
using CatsDogs.Model.Native.Loading;

namespace CatsDogs.Model.Backends;

/// <summary>The --device choices.</summary>
public enum DeviceKind
{
    Auto,
    Cpu,
    Cuda,
}

/// <summary>Turns a --device choice into a <see cref="ComputeDevice"/> and says why.</summary>
public static class BackendFactory
{
    /// <summary>
    /// auto: CUDA when the driver, cuDNN, cuBLAS and NVRTC load and a GPU opens, else the CPU with
    /// a one-line reason. cuda: CUDA or a <see cref="CudaUnavailableException"/> that lists every
    /// place the libraries were looked for. cpu: the CPU.
    /// </summary>
    public static ComputeDevice Create(DeviceKind kind, CpuBackendOptions? cpuOptions = null, CudaBackendOptions? cudaOptions = null) =>
        Create(kind, cpuOptions ?? new CpuBackendOptions(), cudaOptions ?? new CudaBackendOptions(), () => CudaLibraries.Shared);

    /// <summary>The same choice with the library loading supplied, so that the fallback can be tested without a GPU.</summary>
    internal static ComputeDevice Create(DeviceKind kind, CpuBackendOptions cpu, CudaBackendOptions cuda, Func<CudaLoadResult> loadCuda)
    {
        switch (kind)
        {
            case DeviceKind.Cpu:
                return new ComputeDevice(new CpuBackend(cpu), "--device cpu was requested");
            case DeviceKind.Cuda:
                var (requested, failure) = TryCuda(cuda, loadCuda);
                return requested is not null
                    ? new ComputeDevice(requested, "--device cuda was requested")
                    : throw new CudaUnavailableException($"--device cuda: {failure!.Value.Detail}");
            case DeviceKind.Auto:
                var (chosen, why) = TryCuda(cuda, loadCuda);
                return chosen is not null
                    ? new ComputeDevice(chosen, "auto: the CUDA driver, cuDNN and cuBLAS loaded and a GPU is present")
                    : new ComputeDevice(new CpuBackend(cpu), $"auto: CUDA is not available, so the CPU runs: {why!.Value.Summary}");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Allowed devices: auto, cpu, cuda.");
        }
    }

    private static (IBackend? Backend, (string Summary, string Detail)? Failure) TryCuda(CudaBackendOptions options, Func<CudaLoadResult> loadCuda)
    {
        var loaded = loadCuda();
        if (loaded.Libraries is not { } libraries)
        {
            return (null, (loaded.Reason, loaded.Explain()));
        }

        try
        {
            return (CudaBackend.Create(libraries, options), null);
        }
        catch (Exception e) when (e is GpuLibraryException or EntryPointNotFoundException)
        {
            var summary = e is CudaException { Status: (int)CuResult.NoDevice } ? "no CUDA device" : "the CUDA backend could not start";
            return (null, ($"{summary} ({FirstLine(e.Message)})", $"{summary}: {e.Message}"));
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
