using CatsDogs.Model.Memory;

namespace CatsDogs.Pipeline.Dataflow.Batching;

/// <summary>
/// A batch in host memory, rented from a <see cref="BatchBufferPool"/>; disposing it returns it.
/// Layout is <see cref="HostImageBatch"/>'s: <c>Capacity</c> RGB images (NHWC, uint8), then the
/// float32 labels, in one allocation from the pool's allocator (pinned memory under CUDA).
/// </summary>
internal sealed class BatchBuffer : IDisposable
{
    private readonly BatchBufferPool _pool;
    private readonly HostMemory _memory;
    private readonly long _labelsOffset;
    private int _rented;

    internal BatchBuffer(BatchBufferPool pool, HostMemory memory, int capacity, int imageSize)
    {
        _pool = pool;
        _memory = memory;
        Capacity = capacity;
        ImageSize = imageSize;
        _labelsOffset = AlignUp((long)capacity * ImageBytes, 64);
        ImageIndices = new int[capacity];
    }

    public int Capacity { get; }

    public int ImageSize { get; }

    public int ImageBytes => ImageSize * ImageSize * HostImageBatch.Channels;

    /// <summary>Number of images written so far.</summary>
    public int Count { get; private set; }

    /// <summary>Which image of the pass each row holds (an index into the pass's entry list).</summary>
    public int[] ImageIndices { get; }

    /// <summary>Zero-based number of this batch within its pass.</summary>
    public int Number { get; internal set; }

    /// <summary>
    /// The pass position just after this batch's last image: where a pass resumed after this
    /// batch starts, so that the batches that follow are the ones an unbroken pass would make.
    /// </summary>
    public int EndPosition { get; private set; }

    public HostImageBatch View => new(_memory.Pointer, _memory.Pointer + (nint)_labelsOffset, Count, ImageSize, ImageSize);

    public Span<byte> Image(int row) => _memory.AsSpan((long)row * ImageBytes, ImageBytes);

    public unsafe Span<float> Labels => new((void*)(_memory.Pointer + (nint)_labelsOffset), Capacity);

    internal static long BytesFor(int capacity, int imageSize) =>
        AlignUp((long)capacity * imageSize * imageSize * HostImageBatch.Channels, 64) + (long)capacity * sizeof(float);

    internal void Append(ReadOnlySpan<byte> rgb, float label, int imageIndex, int position)
    {
        rgb.CopyTo(Image(Count));
        Plan(label, imageIndex, position);
    }

    /// <summary>Adds a row whose pixels are, or will be, written into <see cref="Image"/> in place.</summary>
    internal void Plan(float label, int imageIndex, int position)
    {
        System.Diagnostics.Debug.Assert(Count < Capacity, "The batcher publishes a batch as soon as it is full.");
        Labels[Count] = label;
        ImageIndices[Count] = imageIndex;
        EndPosition = position + 1;
        Count++;
    }

    /// <summary>Marks the buffer rented; false when it already was.</summary>
    internal bool TryMarkRented() => Interlocked.Exchange(ref _rented, 1) == 0;

    /// <summary>Marks the buffer returned; false when it already was, which would be a double return.</summary>
    internal bool TryMarkReturned() => Interlocked.Exchange(ref _rented, 0) == 1;

    internal void Clear()
    {
        Count = 0;
        Number = 0;
        EndPosition = 0;
    }

    internal void Free() => _memory.Dispose();

    public void Dispose() => _pool.Return(this);

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) & ~(alignment - 1);
}
