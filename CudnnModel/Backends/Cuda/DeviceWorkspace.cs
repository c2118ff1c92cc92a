using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// Scratch memory for cuDNN, shared by every op because they all run in order on the compute
/// stream. It only grows (to the largest workspace any plan needs), which happens while new
/// shapes are being planned; growing waits for the stream so that no queued op still uses the old block.
/// </summary>
internal sealed class DeviceWorkspace(CudaContext context, CudaStream stream) : IDisposable
{
    private DeviceMemory? _memory;

    /// <summary>An address with at least <paramref name="bytes"/> bytes behind it (0 when none are needed).</summary>
    public ulong Reserve(long bytes)
    {
        if (bytes == 0)
        {
            return 0;
        }

        if (_memory is null || _memory.Bytes < bytes)
        {
            stream.Synchronize();
            _memory?.Dispose();
            _memory = null;
            _memory = DeviceMemory.Allocate(context, bytes);
        }

        return _memory.Address;
    }

    public void Dispose() => _memory?.Dispose();
}
