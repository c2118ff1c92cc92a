using System.Buffers.Binary;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;

namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>
/// A cache in one memory-mapped file, which later runs on the same data and settings open again.
/// <para>
/// The file: a 4 KiB header (magic, version, image count, the key, where the index is, the index's
/// checksum, the header's own checksum), the images 64-byte aligned, then the index (per image:
/// offset, size, skip reason, checksum). A complete file is verified when opened, every image's
/// checksum included; anything that does not match (stale key, truncation, a flipped bit) is
/// rebuilt with a one-line warning, so it never yields wrong pixels.
/// </para>
/// <para>
/// Building: the first pass appends to a file of this process's own beside the final name, and
/// when every image is in, writes the index and header, flushes to disk and renames it into place.
/// Two processes building the same cache at once each write their own file, and whichever renames
/// last leaves a whole, identical one. Until then it gives nothing back. A write that fails (a full
/// disk) drops the cache with one warning, and the run goes on without it.
/// </para>
/// Threading: adds serialise on one lock (file appends, first pass only); gets read the map.
/// </summary>
internal sealed unsafe class DiskImageCache : ImageCache
{
    private const int HeaderBytes = 4096;
    private const int IndexEntryBytes = 32;
    private const int Version = 1;
    private static readonly byte[] Magic = "CDDCACHE"u8.ToArray();

    private readonly string _path;
    private readonly byte[] _key;
    private readonly TextWriter _log;
    private readonly object _writing = new();
    private readonly Entry[] _entries;
    private readonly bool[] _added;

    // Building: the file being written, or null once complete or dropped.
    private string? _partPath;
    private FileStream? _part;
    private int _addedCount;

    // Complete: the map the images are read from.
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    // Set once the map is ready, after the index it serves: gets read it first (Volatile).
    private nint _base;

    private record struct Entry(long Offset, int Width, int Height, SkipReason Skip, ulong Checksum);

    public DiskImageCache(CacheLayout layout, string path, byte[] key, int images, TextWriter log)
        : base(layout)
    {
        _path = path;
        _key = key;
        _log = log;
        _entries = new Entry[images];
        _added = new bool[images];
        if (File.Exists(path))
        {
            if (TryOpen() is { } problem)
            {
                _log.WriteLine($"The disk cache {path} is {problem}: rebuilding it.");
                Unmap();
            }
            else
            {
                return;
            }
        }

        StartBuilding();
    }

    public string Path => _path;

    public override string Description => $"disk, {_path}{(Volatile.Read(ref _base) != 0 ? "" : _part is not null ? " (being written)" : " (dropped)")}";

    public override int Count => Volatile.Read(ref _base) != 0 ? _entries.Length : 0;

    public override bool TryGet(int imageIndex, out CachedImage image)
    {
        var mapped = Volatile.Read(ref _base);
        if (mapped == 0)
        {
            image = default;
            return false;
        }

        var entry = _entries[imageIndex];
        image = new CachedImage(entry.Skip, mapped + (nint)entry.Offset, entry.Width, entry.Height);
        return true;
    }

    public override void Add(int imageIndex, SkipReason skip, ReadOnlySpan<byte> pixels, int width, int height)
    {
        lock (_writing)
        {
            if (_part is null || _added[imageIndex])
            {
                return;
            }

            try
            {
                var offset = (_part.Length + 63) & ~63L;
                if (skip == SkipReason.None)
                {
                    _part.Position = offset;
                    _part.Write(pixels);
                }

                _entries[imageIndex] = new Entry(offset, width, height, skip, skip == SkipReason.None ? XxHash3.HashToUInt64(pixels) : 0);
                _added[imageIndex] = true;
                if (++_addedCount == _entries.Length)
                {
                    Complete();
                }
            }
            catch (IOException e)
            {
                _log.WriteLine($"The disk cache {_path} could not be written ({e.Message}): the run goes on without a cache.");
                DropPart();
            }
        }
    }

    private void StartBuilding()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_path))!);
        _partPath = $"{_path}.{Environment.ProcessId}-{Guid.NewGuid():N}.part";
        // Unbuffered: each image is one write, and a write that fails (ENOSPC) fails there, not in a later flush.
        _part = new FileStream(_partPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        try
        {
            _part.SetLength(HeaderBytes);
        }
        catch (IOException)
        {
            DropPart();
            throw;
        }
    }

    /// <summary>Writes the index and header, makes them durable and renames the file into place, then maps it.</summary>
    private void Complete()
    {
        var part = _part!;
        var indexOffset = (part.Length + 63) & ~63L;
        var index = new byte[_entries.Length * IndexEntryBytes];
        for (var i = 0; i < _entries.Length; i++)
        {
            var slot = index.AsSpan(i * IndexEntryBytes, IndexEntryBytes);
            BinaryPrimitives.WriteInt64LittleEndian(slot, _entries[i].Offset);
            BinaryPrimitives.WriteInt32LittleEndian(slot[8..], _entries[i].Width);
            BinaryPrimitives.WriteInt32LittleEndian(slot[12..], _entries[i].Height);
            BinaryPrimitives.WriteInt32LittleEndian(slot[16..], (int)_entries[i].Skip);
            BinaryPrimitives.WriteUInt64LittleEndian(slot[24..], _entries[i].Checksum);
        }

        part.Position = indexOffset;
        part.Write(index);
        part.Position = 0;
        part.Write(Header(indexOffset, XxHash3.HashToUInt64(index)));
        part.Flush(flushToDisk: true);
        part.Dispose();
        _part = null;
        File.Move(_partPath!, _path, overwrite: true);
        _partPath = null;
        Map();
    }

    private byte[] Header(long indexOffset, ulong indexChecksum)
    {
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), _entries.Length);
        _key.CopyTo(header, 16);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(48), indexOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(56), indexChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(64), XxHash3.HashToUInt64(header.AsSpan(0, 64)));
        return header;
    }

    /// <summary>Maps and checks a complete file; null when it is good, else what is wrong with it.</summary>
    private string? TryOpen()
    {
        long length;
        try
        {
            length = new FileInfo(_path).Length;
            if (length < HeaderBytes)
            {
                return "truncated";
            }

            Map();
        }
        catch (IOException e)
        {
            return $"unreadable ({e.Message})";
        }

        var file = (byte*)_base;
        var header = new ReadOnlySpan<byte>(file, HeaderBytes);
        if (!header[..8].SequenceEqual(Magic) || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version)
        {
            return "not a cache of this version";
        }

        if (XxHash3.HashToUInt64(header[..64]) != BinaryPrimitives.ReadUInt64LittleEndian(header[64..]))
        {
            return "damaged (its header fails its checksum)";
        }

        if (BinaryPrimitives.ReadInt32LittleEndian(header[12..]) != _entries.Length || !header.Slice(16, 32).SequenceEqual(_key))
        {
            return "stale (made for other images or settings)";
        }

        var indexOffset = BinaryPrimitives.ReadInt64LittleEndian(header[48..]);
        if (indexOffset < HeaderBytes || indexOffset + (long)_entries.Length * IndexEntryBytes != length)
        {
            return "truncated";
        }

        var index = new ReadOnlySpan<byte>(file + indexOffset, _entries.Length * IndexEntryBytes);
        if (XxHash3.HashToUInt64(index) != BinaryPrimitives.ReadUInt64LittleEndian(header[56..]))
        {
            return "damaged (its index fails its checksum)";
        }

        for (var i = 0; i < _entries.Length; i++)
        {
            var slot = index.Slice(i * IndexEntryBytes, IndexEntryBytes);
            var entry = new Entry(
                BinaryPrimitives.ReadInt64LittleEndian(slot), BinaryPrimitives.ReadInt32LittleEndian(slot[8..]), BinaryPrimitives.ReadInt32LittleEndian(slot[12..]),
                (SkipReason)BinaryPrimitives.ReadInt32LittleEndian(slot[16..]), BinaryPrimitives.ReadUInt64LittleEndian(slot[24..]));
            if (entry.Skip == SkipReason.None)
            {
                var bytes = (long)entry.Width * entry.Height * Layout.BytesPerPixel;
                if (entry.Offset < HeaderBytes || entry.Offset + bytes > indexOffset ||
                    XxHash3.HashToUInt64(new ReadOnlySpan<byte>(file + entry.Offset, (int)bytes)) != entry.Checksum)
                {
                    return $"damaged (image {i} fails its checksum)";
                }
            }

            _entries[i] = entry;
        }

        return null;
    }

    private void Map()
    {
        _map = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Volatile.Write(ref _base, (nint)(pointer + _view.PointerOffset));
    }

    private void Unmap()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }

        _map?.Dispose();
        _view = null;
        _map = null;
        _base = 0;
    }

    private void DropPart()
    {
        _part?.Dispose();
        _part = null;
        if (_partPath is not null)
        {
            File.Delete(_partPath);
            _partPath = null;
        }
    }

    public override void Dispose()
    {
        lock (_writing)
        {
            DropPart();
        }

        Unmap();
    }
}
