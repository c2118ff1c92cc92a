using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Tests.Model.Backends;

public sealed class BackendFactoryTests
{
    [Fact]
    public void Auto_picks_the_cpu_and_says_why()
    {
        using var device = BackendFactory.Create(DeviceKind.Auto, new CpuBackendOptions { Threads = 1 });

        Assert.Equal("cpu", device.Name);
        Assert.Contains("CUDA backend not built yet", device.Reason);
        Assert.Contains("1 thread", device.Description);
    }

    [Fact]
    public void Cuda_is_refused_with_the_alternatives()
    {
        var error = Assert.Throws<NotSupportedException>(() => BackendFactory.Create(DeviceKind.Cuda));

        Assert.Contains("--device cpu", error.Message);
    }

    [Fact]
    public void Zero_threads_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 0 }));
    }
}
