using System.Threading.Channels;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Batching;
using CatsDogs.Pipeline.Dataflow.Caching;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// One pass over a set of images, producing batches in order into <see cref="Batches"/>: what the
/// decoding graph (<see cref="PassGraph"/>) and the pass over a complete cache
/// (<see cref="CachedPass"/>) share. Disposing cancels the pass, waits for it, and returns every
/// buffer it still holds to the pool.
/// </summary>
internal abstract class Pass : IAsyncDisposable
{
    protected Pass(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch, int startPosition, CancellationToken cancellationToken)
    {
        Pipeline = pipeline;
        Source = source;
        Kind = kind;
        Epoch = epoch;
        StartPosition = startPosition;
        Cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public ChannelReader<BatchBuffer> Batches => Output.Reader;

    protected InputPipeline Pipeline { get; }

    protected ImageSource Source { get; }

    protected PassKind Kind { get; }

    protected int Epoch { get; }

    protected int StartPosition { get; }

    protected CancellationTokenSource Cancellation { get; }

    // Not SingleReader: that channel cannot count its items, and the output depth is exported.
    protected Channel<BatchBuffer> Output { get; } = Channel.CreateUnbounded<BatchBuffer>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });

    /// <summary>The task that runs the pass; it completes <see cref="Output"/>, with the failure if there is one.</summary>
    protected abstract Task Run { get; }

    /// <summary>Images (or batches) waiting in, and finished in, a stage's block: the queue depths a user tunes against.</summary>
    public abstract (int Input, int Output) QueueDepth(string stage);

    /// <summary>Whether the pass hands a last batch that is not full to the consumer.</summary>
    protected bool KeepsPartialBatch => !(Pipeline.Options.DropLastPartial && Kind == PassKind.Training);

    /// <summary>
    /// Writes an image's tile: an inference cache's image is its tile already; any other (decoded,
    /// fitted, or from a training cache) is warped with the pass's augmentation, drawn from (seed,
    /// epoch, image) for training and none otherwise.
    /// </summary>
    protected void RenderTile(CachedImage image, bool isTile, int imageIndex, Span<byte> tile)
    {
        if (isTile)
        {
            image.Span(3).CopyTo(tile);
            return;
        }

        var options = Pipeline.Options;
        var parameters = Kind == PassKind.Training
            ? AffineParameters.Draw(options.Augment, (ulong)(uint)options.Seed, Epoch, imageIndex)
            : AffineParameters.Identity;
        AffineWarp.Render(image.Span(4), image.Width, image.Height, options.Fit, parameters, tile, options.ImageSize);
    }

    protected static float LabelValue(ImageLabel label) => label switch
    {
        ImageLabel.Cat => 0f,
        ImageLabel.Dog => 1f,
        _ => float.NaN,
    };

    /// <summary>Frees what the pass itself holds, once it has stopped.</summary>
    protected virtual void Release()
    {
    }

    public async ValueTask DisposeAsync()
    {
        Cancellation.Cancel();
        await Run.ConfigureAwait(false);
        while (Output.Reader.TryRead(out var unread))
        {
            unread.Dispose();
        }

        Release();
        Cancellation.Dispose();
    }
}
