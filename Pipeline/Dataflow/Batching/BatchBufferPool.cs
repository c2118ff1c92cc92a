using System.Threading.Channels;
using CatsDogs.Model.Memory;

namespace CatsDogs.Pipeline.Dataflow.Batching;

/// <summary>
/// A fixed number of batch buffers, allocated once from the backend's allocator and reused for
/// the life of the process. Renting waits when all are out, which is how a slow consumer holds
/// back the whole graph. Thread-safe: any thread may rent or return.
/// </summary>
internal sealed class BatchBufferPool : IDisposable
{
    private readonly Channel<BatchBuffer> _free;
    private readonly BatchBuffer[] _all;
    private int _inUse;

    public BatchBufferPool(IHostMemoryAllocator allocator, int count, int batchSize, int imageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _free = Channel.CreateBounded<BatchBuffer>(new BoundedChannelOptions(count) { SingleReader = true });
        _all = new BatchBuffer[count];
        for (var i = 0; i < count; i++)
        {
            _all[i] = new BatchBuffer(this, allocator.Allocate(BatchBuffer.BytesFor(batchSize, imageSize)), batchSize, imageSize);
            _free.Writer.TryWrite(_all[i]);
        }

        AllocatorName = allocator.Name;
    }

    public int Count => _all.Length;

    public int InUse => Volatile.Read(ref _inUse);

    public int Free => Count - InUse;

    public string AllocatorName { get; }

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

        Interlocked.Decrement(ref _inUse);
        _free.Writer.TryWrite(buffer);
    }

    public void Dispose()
    {
        foreach (var buffer in _all)
        {
            buffer.Free();
        }
    }
}
