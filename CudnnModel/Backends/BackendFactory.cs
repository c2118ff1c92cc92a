using CatsDogs.Model.Backends.Cpu;

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
    public static ComputeDevice Create(DeviceKind kind, CpuBackendOptions? cpuOptions = null)
    {
        var cpu = cpuOptions ?? new CpuBackendOptions();
        return kind switch
        {
            DeviceKind.Cpu => new ComputeDevice(new CpuBackend(cpu), "--device cpu was requested"),
            DeviceKind.Auto => new ComputeDevice(new CpuBackend(cpu), "CUDA backend not built yet, so auto picks the CPU"),
            DeviceKind.Cuda => throw new NotSupportedException(
                "--device cuda: the CUDA backend is not built yet; use --device cpu or --device auto."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Allowed devices: auto, cpu, cuda."),
        };
    }
}
