using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native.Loading;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>The --device choice when CUDA does not load, with the loading result supplied.</summary>
public sealed class BackendFactoryTests
{
    private static readonly CudaLoadResult NoDriver = new(null, "the CUDA driver (libcuda.so.1) did not load (no NVIDIA driver here?)",
        ["libcuda.so.1 (loader search): libcuda.so.1: cannot open shared object file", "/usr/local/cuda/lib64/libcuda.so.1: no such file"]);

    [Fact]
    public void Auto_falls_back_to_the_cpu_and_says_why_in_one_line()
    {
        using var device = BackendFactory.Create(DeviceKind.Auto, new CpuBackendOptions { Threads = 1 }, new CudaBackendOptions(), () => NoDriver);

        Assert.Equal("cpu", device.Name);
        Assert.Equal("auto: CUDA is not available, so the CPU runs: the CUDA driver (libcuda.so.1) did not load (no NVIDIA driver here?)", device.Reason);
        Assert.DoesNotContain('\n', device.Reason);
    }

    [Fact]
    public void Cuda_without_a_driver_is_a_user_error_that_lists_every_place_tried()
    {
        var error = Assert.Throws<CudaUnavailableException>(() =>
            BackendFactory.Create(DeviceKind.Cuda, new CpuBackendOptions(), new CudaBackendOptions(), () => NoDriver));

        Assert.StartsWith("--device cuda: the CUDA driver (libcuda.so.1) did not load", error.Message);
        Assert.All(NoDriver.Trace, place => Assert.Contains(place, error.Message));
    }

    [Fact]
    public void Cpu_never_tries_cuda() =>
        Assert.Equal("--device cpu was requested",
            BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 }, new CudaBackendOptions(), () => throw new InvalidOperationException()).Reason);

    [Fact]
    public void The_cpu_device_hands_out_aligned_host_memory() =>
        Assert.Equal("aligned", BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 }).HostAllocator.Name);
}
