using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>Makes the cache a <see cref="CacheMode"/> names for one source and kind of pass.</summary>
internal static class ImageCaches
{
    /// <summary>Where disk caches live: derived data, apart from the images, as the split files are.</summary>
    public static readonly string Folder = Path.Combine("data", "cache");

    /// <summary>A cache for <paramref name="source"/>, or null for <see cref="CacheMode.Off"/>.</summary>
    /// <param name="decoderVersion">The decoder's <c>Version</c>: a disk cache made by another decoder is stale.</param>
    public static ImageCache? Create(CacheMode mode, string folder, ImageSource source, CacheLayout layout, string decoderVersion, TextWriter log)
    {
        var budget = AvailableMemoryBytes() / 4;
        var chosen = mode == CacheMode.Auto ? (layout.EstimateBytes(source.Count) <= budget ? CacheMode.Memory : CacheMode.Disk) : mode;
        return chosen switch
        {
            CacheMode.Off => null,
            CacheMode.Memory => new MemoryImageCache(layout, source.Count, budget, log),
            _ => Disk(folder, source, layout, decoderVersion, log),
        };
    }

    private static DiskImageCache? Disk(string folder, ImageSource source, CacheLayout layout, string decoderVersion, TextWriter log)
    {
        var key = Key(source, layout, decoderVersion);
        var name = $"{Path.GetFileName(source.Root.TrimEnd(Path.DirectorySeparatorChar))}-{layout.Kind.ToString().ToLowerInvariant()}-{layout.ImageSize}px-{Convert.ToHexStringLower(key)[..16]}.cache";
        try
        {
            return new DiskImageCache(layout, Path.Combine(folder, name), key, source.Count, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"No disk cache in {folder} ({e.Message}): the run goes on without a cache.");
            return null;
        }
    }

    /// <summary>
    /// What the cached pixels depend on: every image's path, length and modification time, in the
    /// pass's entry order (reading every byte to hash it would cost as much as the decode it saves),
    /// the layout and the decoder.
    /// </summary>
    internal static byte[] Key(ImageSource source, CacheLayout layout, string decoderVersion)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add(string.Create(CultureInfo.InvariantCulture, $"{layout.Kind} {layout.ImageSize} {layout.Fit} {layout.Zoom:R} {decoderVersion}"));
        for (var i = 0; i < source.Count; i++)
        {
            var file = new FileInfo(source.FullPaths[i]);
            Add(file.Exists ? $"{source.Entries[i].RelativePath} {file.Length} {file.LastWriteTimeUtc.Ticks}" : $"{source.Entries[i].RelativePath} missing");
        }

        return hash.GetHashAndReset();
    }

    /// <summary>MemAvailable from /proc/meminfo: what the kernel could hand out without swapping.</summary>
    internal static long AvailableMemoryBytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
