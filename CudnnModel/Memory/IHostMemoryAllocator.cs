namespace CatsDogs.Model.Memory;

/// <summary>
/// Source of the host memory that input batches are written into. The CPU backend uses
/// <see cref="AlignedHostAllocator"/>; the CUDA backend backs it with page-locked memory so that
/// uploads can run asynchronously on a copy stream.
/// </summary>
public interface IHostMemoryAllocator
{
    /// <summary>A short name for logs, such as "aligned" or "pinned".</summary>
    string Name { get; }

    /// <summary>Allocates <paramref name="bytes"/> bytes; the block is freed when it is disposed.</summary>
    HostMemory Allocate(long bytes);
}
