using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;

namespace CatsDogs.Tests.Model.Backends;

/// <summary>The CPU side of device choice; auto and cuda are covered in Model/Cuda/BackendFactoryTests.</summary>
public sealed class BackendFactoryTests
{
    [Fact]
    public void Cpu_says_how_many_threads_it_runs()
    {
        using var device = BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 });

        Assert.Equal("cpu", device.Name);
        Assert.Contains("1 thread", device.Description);
    }

    [Fact]
    public void Zero_threads_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 0 }));
    }
}
