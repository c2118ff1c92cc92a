using CatsDogs.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>A fact that needs a CUDA device; elsewhere it is skipped with the reason "no CUDA device".</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!CudaPresence.Available)
        {
            Skip = "no CUDA device";
        }
    }
}

/// <summary>A fact about behaviour without CUDA; on a machine with a CUDA device it is skipped.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (CudaPresence.Available)
        {
            Skip = "a CUDA device is present";
        }
    }
}

/// <summary>Whether --device auto would pick CUDA here: decided once per test run.</summary>
internal static class CudaPresence
{
    private static readonly Lazy<bool> Probe = new(() =>
    {
        using var device = BackendFactory.Create(DeviceKind.Auto, new CatsDogs.Model.Backends.Cpu.CpuBackendOptions { Threads = 1 });
        return device.Name == "cuda";
    });

    public static bool Available => Probe.Value;
}
