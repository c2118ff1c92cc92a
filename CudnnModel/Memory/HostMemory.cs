namespace CatsDogs.Model.Memory;

/// <summary>
/// One native block owned by the allocator that made it. Disposing it hands the memory back
/// through the release callback that the allocator supplied; it is never touched afterwards.
/// </summary>
public sealed class HostMemory : IDisposable
{
    private readonly Action<nint> _release;
    private nint _pointer;

    public HostMemory(nint pointer, long length, Action<nint> release)
    {
        ArgumentOutOfRangeException.ThrowIfZero(pointer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        _pointer = pointer;
        Length = length;
        _release = release;
    }

    public nint Pointer => _pointer != 0 ? _pointer : throw new ObjectDisposedException(nameof(HostMemory));

    public long Length { get; }

    public unsafe Span<byte> AsSpan(long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, Length);
        return new Span<byte>((byte*)Pointer + offset, length);
    }

    public void Dispose()
    {
        var pointer = Interlocked.Exchange(ref _pointer, 0);
        if (pointer != 0)
        {
            _release(pointer);
        }
    }
}
