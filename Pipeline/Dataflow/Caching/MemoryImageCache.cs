using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// A cache in this process's native memory: images are copied into 64 MiB blocks that live as long
/// as the cache, so a pointer handed out stays valid. Past the cap it keeps no more images (they
/// are decoded on every pass) and says so once.
/// Threading: allocation takes a lock (once per image, on the first pass only); an image's slot is
/// written before its index is marked present, and readers check the mark first.
/// </summary>
internal sealed unsafe class MemoryImageCache : ImageCache
{
    private const long BlockBytes = 64L << 20;

    private readonly object _allocation = new();
    private readonly List<nint> _blocks = [];
    private readonly CachedImage[] _images;
    private readonly int[] _present;
    private readonly long _capBytes;
    private readonly TextWriter _log;
    private nint _block;
    private long _blockUsed = BlockBytes;
    private long _bytes;
    private int _count;
    private bool _full;

    public MemoryImageCache(CacheLayout layout, int images, long capBytes, TextWriter log)
        : base(layout)
    {
        _images = new CachedImage[images];
        _present = new int[images];
        _capBytes = capBytes;
        _log = log;
    }

    public override string Description => $"memory, {Volatile.Read(ref _bytes) / 1e6:F0} MB of {_capBytes / 1e6:F0} MB";

    public override int Count => Volatile.Read(ref _count);

    public override bool TryGet(int imageIndex, out CachedImage image)
    {
        if (Volatile.Read(ref _present[imageIndex]) == 1)
        {
            image = _images[imageIndex];
            return true;
        }

        image = default;
        return false;
    }

    public override void Add(int imageIndex, SkipReason skip, ReadOnlySpan<byte> pixels, int width, int height)
    {
        if (Volatile.Read(ref _present[imageIndex]) == 1)
        {
            return;
        }

        var image = new CachedImage(skip, 0, width, height);
        if (skip == SkipReason.None)
        {
            if (Allocate(pixels.Length) is not { } memory)
            {
                return;
            }

            pixels.CopyTo(new Span<byte>((void*)memory, pixels.Length));
            image = image with { Pixels = memory };
        }

        _images[imageIndex] = image;
        Volatile.Write(ref _present[imageIndex], 1);
        Interlocked.Increment(ref _count);
    }

    private nint? Allocate(int length)
    {
        // Rows of 64-byte-aligned starts: the warp's vector loads never straddle two images.
        var aligned = (length + 63) & ~63L;
        lock (_allocation)
        {
            if (_bytes + aligned > _capBytes)
            {
                if (!_full)
                {
                    _full = true;
                    _log.WriteLine($"The memory cache reached its cap of {_capBytes / 1e6:F0} MB: images past it are decoded on every pass (--cache disk keeps them all).");
                }

                return null;
            }

            if (_blockUsed + aligned > BlockBytes)
            {
                _block = (nint)NativeMemory.AlignedAlloc((nuint)Math.Max(BlockBytes, aligned), 64);
                _blocks.Add(_block);
                _blockUsed = 0;
            }

            var memory = _block + (nint)_blockUsed;
            _blockUsed += aligned;
            _bytes += aligned;
            return memory;
        }
    }

    public override void Dispose()
    {
        foreach (var block in _blocks)
        {
            NativeMemory.AlignedFree((void*)block);
        }

        _blocks.Clear();
    }
}
