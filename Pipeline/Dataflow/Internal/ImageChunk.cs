namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// A few consecutive images of a pass that travel the graph together: one worker prepares them
/// one after another and the batcher takes them in order, so each hop between threads, and each
/// task a starved block starts, is paid once per chunk instead of once per image. On 32x32 images
/// those costs were about a third of the CPU per image (docs/BENCHMARKS.md).
/// </summary>
internal sealed class ImageChunk : IDisposable
{
    /// <summary>Images per chunk: enough to make the per-hop cost small beside a tiny image's ~30 µs, few enough that a chunk of large images (~300 µs each) still flows.</summary>
    public const int Capacity = 8;

    private readonly ImageScratch _scratch = new();

    public ImageChunk(int tileBytes)
    {
        Jobs = new ImageJob[Capacity];
        for (var i = 0; i < Capacity; i++)
        {
            Jobs[i] = new ImageJob(tileBytes, _scratch);
        }
    }

    /// <summary>The chunk's images; the first <see cref="Count"/> are in use.</summary>
    public ImageJob[] Jobs { get; }

    public int Count { get; set; }

    public void Dispose()
    {
        foreach (var job in Jobs)
        {
            job.Dispose();
        }

        _scratch.Dispose();
    }
}
