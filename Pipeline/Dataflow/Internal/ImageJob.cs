using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// One image on its way through the graph, carrying every buffer the stages need. Jobs are
/// pooled per pass and reused, so that steady state allocates nothing per image; the pool's size
/// is the sum of the blocks' bounded capacities, which is what bounds the graph's memory.
/// Exactly one stage touches a job at a time. Jobs that one thread prepares one after another
/// (an <see cref="ImageChunk"/>'s) share their scratch buffers: only the tile outlives the preparing.
/// </summary>
internal sealed class ImageJob(int tileBytes, ImageScratch? shared = null) : IDisposable
{
    private readonly ImageScratch _scratch = shared ?? new ImageScratch();

    /// <summary>Position in this pass's order; with ordered blocks, batches follow it.</summary>
    public int Position;

    /// <summary>Index of the image in the pass's entry list.</summary>
    public int ImageIndex;

    public ImageLabel Label;

    public SkipReason Skip;

    /// <summary>The decoder's own words on a skipped image, for the log.</summary>
    public string? SkipDetail;

    public NativeBuffer Encoded => _scratch.Encoded;

    public int EncodedLength;

    /// <summary>Size the file's header declares, before any scaled decode.</summary>
    public int SourceWidth;

    public int SourceHeight;

    /// <summary>Decoded pixels, RGBA, <see cref="DecodedWidth"/> x <see cref="DecodedHeight"/>, rows packed.</summary>
    public NativeBuffer Decoded => _scratch.Decoded;

    public int DecodedWidth;

    public int DecodedHeight;

    /// <summary>The decoded image shrunk to what a training cache keeps, RGBA.</summary>
    public NativeBuffer Fitted => _scratch.Fitted;

    /// <summary>
    /// What the warp reads, RGBA (or, from an inference cache, the finished RGB tile): the decoded
    /// pixels, their fitted copy, or a cached image, which the cache owns.
    /// </summary>
    public CachedImage Pixels;

    /// <summary>Whether <see cref="Pixels"/> (or <see cref="Skip"/>) came from the cache, so the file was neither read nor decoded.</summary>
    public bool Cached;

    /// <summary>The final image, RGB, network input size.</summary>
    public readonly byte[] Tile = new byte[tileBytes];

    /// <summary>Whether the bytes open with a JPEG's start-of-image marker, whatever the file is called.</summary>
    public unsafe bool StartsLikeJpeg => EncodedLength >= 2 && ((byte*)Encoded.Pointer)[0] == 0xFF && ((byte*)Encoded.Pointer)[1] == 0xD8;

    /// <summary>Records the size the header declares; false, with the job skipped as too large, where it exceeds <paramref name="maxPixels"/>.</summary>
    public bool AcceptSourceSize(int width, int height, long maxPixels)
    {
        SourceWidth = width;
        SourceHeight = height;
        return (long)width * height <= maxPixels || MarkSkipped(SkipReason.TooLarge, $"{width}x{height}");
    }

    /// <summary>Marks the job skipped; returns false, for a decoder to return.</summary>
    public bool MarkSkipped(SkipReason reason, string? detail)
    {
        Skip = reason;
        SkipDetail = detail;
        return false;
    }

    public void Reset(int position, int imageIndex, ImageLabel label)
    {
        Position = position;
        ImageIndex = imageIndex;
        Label = label;
        Skip = SkipReason.None;
        SkipDetail = null;
        EncodedLength = 0;
        SourceWidth = SourceHeight = DecodedWidth = DecodedHeight = 0;
        Pixels = default;
        Cached = false;
    }

    /// <summary>Frees the scratch buffers when they are the job's own; shared ones belong to whoever shared them.</summary>
    public void Dispose()
    {
        if (shared is null)
        {
            _scratch.Dispose();
        }
    }
}
