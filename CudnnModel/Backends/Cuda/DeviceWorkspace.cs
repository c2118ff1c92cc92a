using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// A device block that only grows: cuDNN's workspace (shared by every op, which all run in order
/// on the compute stream) and the upload staging buffers. Growth happens while new shapes are
/// first seen; it first runs <c>drain</c>, which waits until no queued work can still use the old block.
/// </summary>
internal sealed class DeviceWorkspace(CudaContext context, Action drain) : IDisposable
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
            drain();
            _memory?.Dispose();
            _memory = null;
            _memory = DeviceMemory.Allocate(context, bytes);
        }

        return _memory.Address;
    }

    public void Dispose() => _memory?.Dispose();
}
