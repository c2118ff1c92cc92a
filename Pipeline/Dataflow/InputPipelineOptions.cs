using System.Text.Json.Serialization;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Pipeline.Dataflow;

/// <summary>
/// How the input graph is shaped: how many workers take images from file to tile, how many chunks
/// of 8 images each may queue per worker, and how many batches wait for the consumer; together
/// with the batch pool they bound the graph's memory. A training run saves them with its settings
/// (config.json) but for the members no option sets, which are left out there.
/// </summary>
internal sealed record InputPipelineOptions
{
    public int BatchSize { get; init; } = 64;

    /// <summary>Side of the square network input, in pixels.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Workers, each taking an image from its file (or the cache) to its tile: the threads busy on images.</summary>
    public int DecodeThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Workers reading a file at one time; null: as many as <see cref="DecodeThreads"/>.</summary>
    public int? ReadThreads { get; init; }

    /// <summary>Workers warping an image into its tile at one time; null: as many as <see cref="DecodeThreads"/>.</summary>
    public int? AugmentThreads { get; init; }

    /// <summary>Chunks of images (8 each) a block may hold (queued, in progress and done) per thread it runs on.</summary>
    public int QueuePerThread { get; init; } = 4;

    /// <summary>Finished batches waiting for the consumer.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Batches the consumer may hold at once (2 lets one upload while another computes).</summary>
    [JsonIgnore]
    public int ConsumerHeld { get; init; } = 2;

    public bool DropLastPartial { get; init; }

    public FitMode Fit { get; init; } = FitMode.Stretch;

    public AugmentOptions Augment { get; init; } = new();

    /// <summary>Images whose header claims more pixels are skipped before any pixel is allocated.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>Draws the order and the augmentation; a training run's settings hold it once, as its train.seed.</summary>
    [JsonIgnore]
    public int Seed { get; init; } = 42;

    public DecoderChoice Decoder { get; init; } = DecoderChoice.Auto;

    /// <summary>Where decoded images are kept between passes; the verbs default to auto, a pipeline made in code to none.</summary>
    public CacheMode Cache { get; init; } = CacheMode.Off;

    /// <summary>The folder of disk caches.</summary>
    [JsonIgnore]
    public string CacheFolder { get; init; } = ImageCaches.Folder;

    /// <summary>The settings a running process may change, as these options start them.</summary>
    [JsonIgnore]
    public PipelineSettings Settings => new(DecodeThreads, ReadThreads ?? DecodeThreads, AugmentThreads ?? DecodeThreads, Prefetch, QueuePerThread);

    /// <summary>Batch buffers: the prefetch queue, the one being filled, and those the consumer holds.</summary>
    [JsonIgnore]
    public int PoolSize => PoolSizeFor(Prefetch);

    public int PoolSizeFor(int prefetch) => prefetch + 1 + ConsumerHeld;
}
