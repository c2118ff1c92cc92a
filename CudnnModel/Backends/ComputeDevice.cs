using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Backends;

/// <summary>
/// A backend chosen for this run, as the application sees it: a name for logs, a description
/// and why it was chosen. Networks built on it share it; dispose it after them.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    internal ComputeDevice(IBackend backend, string reason)
    {
        Backend = backend;
        Reason = reason;
    }

    /// <summary>"cpu" or "cuda".</summary>
    public string Name => Backend.Name;

    /// <summary>What --device would name to get this device again: never <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Kind => Backend is Cuda.CudaBackend ? DeviceKind.Cuda : DeviceKind.Cpu;

    public string Description => Backend.Description;

    /// <summary>Why this device was picked, for the log line of --device auto.</summary>
    public string Reason { get; }

    /// <summary>
    /// Where the input pipeline should allocate its batch buffers: page-locked memory under CUDA,
    /// so that uploads run asynchronously; aligned native memory on the CPU.
    /// </summary>
    public IHostMemoryAllocator HostAllocator => Backend.HostAllocator;

    internal IBackend Backend { get; }

    public void Dispose() => Backend.Dispose();
}
