using System.Threading.Channels;
using CatsDogs.Model.Memory;

namespace CatsDogs.Pipeline.Dataflow.Batching;

/// <summary>
/// The batch buffers, allocated from the backend's allocator and reused for the life of the
/// process. Renting waits when all are out, which is how a slow consumer holds back the whole
/// graph. A retune may change how many there are: new ones are allocated at once, and surplus
/// ones are freed as they come free, never taken from a holder. Thread-safe: any thread may rent,
/// return or resize.
/// </summary>
internal sealed class BatchBufferPool : IDisposable
{
    private readonly Channel<BatchBuffer> _free = Channel.CreateUnbounded<BatchBuffer>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IHostMemoryAllocator _allocator;
    private readonly int _batchSize;
    private readonly int _imageSize;
    private readonly Lock _sizeLock = new();
    private readonly HashSet<BatchBuffer> _all = [];
    private int _target;
    private int _inUse;

    public BatchBufferPool(IHostMemoryAllocator allocator, int count, int batchSize, int imageSize)
    {
        (_allocator, _batchSize, _imageSize) = (allocator, batchSize, imageSize);
        AllocatorName = allocator.Name;
        Resize(count);
    }

    /// <summary>Buffers that exist now, free or in use; above the target only until the surplus comes back.</summary>
    public int Count
    {
        get
        {
            lock (_sizeLock)
            {
                return _all.Count;
            }
        }
    }

    public int InUse => Volatile.Read(ref _inUse);

    public int Free => Count - InUse;

    public string AllocatorName { get; }

    public long BytesPerBuffer => BatchBuffer.BytesFor(_batchSize, _imageSize);

    /// <summary>Makes <paramref name="count"/> the number of buffers: allocates the missing ones now, frees free ones beyond it now and the rest as they return.</summary>
    public void Resize(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_sizeLock)
        {
            _target = count;
            while (_all.Count < _target)
            {
                var buffer = new BatchBuffer(this, _allocator.Allocate(BytesPerBuffer), _batchSize, _imageSize);
                _all.Add(buffer);
                _free.Writer.TryWrite(buffer);
            }

            while (_all.Count > _target && _free.Reader.TryRead(out var surplus))
            {
                Retire(surplus);
            }
        }
    }

    public async ValueTask<BatchBuffer> RentAsync(CancellationToken cancellationToken)
    {
        var buffer = await _free.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _inUse);
        buffer.TryMarkRented();
        buffer.Clear();
        return buffer;
    }

    internal void Return(BatchBuffer buffer)
    {
        if (!buffer.TryMarkReturned())
        {
            throw new InvalidOperationException("A batch buffer was returned twice.");
        }

        lock (_sizeLock)
        {
            Interlocked.Decrement(ref _inUse);
            if (_all.Count > _target)
            {
                Retire(buffer);
                return;
            }

            _free.Writer.TryWrite(buffer);
        }
    }

    private void Retire(BatchBuffer buffer)
    {
        _all.Remove(buffer);
        buffer.Free();
    }

    public void Dispose()
    {
        lock (_sizeLock)
        {
            foreach (var buffer in _all)
            {
                buffer.Free();
            }

            _all.Clear();
        }
    }
}
