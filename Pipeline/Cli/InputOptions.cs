using System.CommandLine;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Dataflow.Decoding;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// The options that shape the input pipeline, shared by every verb that reads images. The
/// inference verbs take only those that matter there: they neither augment nor drop images, and
/// their image size and fit come with the checkpoint (<see cref="Inference.CheckpointedInference"/>).
/// </summary>
internal sealed class InputOptions
{
    private readonly Option<int> _batchSize = RangedOption.Create("--batch-size", "Images per batch.", 64, 1, 65536);
    private readonly Option<int> _imageSize = RangedOption.Create("--image-size", "Side of the square network input, in pixels.", 64, 8, 1024);
    private readonly Option<int> _decodeThreads = RangedOption.Create(
        "--decode-threads", "Threads taking images from file (or cache) to tile: read, decode, augment. More than the cores only adds switching.", Environment.ProcessorCount, 1, 256);
    private readonly Option<int> _queuePerThread = RangedOption.Create("--queue-per-thread", "Chunks of 8 images each block may hold per thread (its bounded capacity).", 4, 1, 1024);
    private readonly Option<int> _prefetch = RangedOption.Create("--prefetch", "Finished batches kept ready ahead of the consumer.", 4, 1, 1024);
    private readonly Option<bool> _dropLast = new("--drop-last") { Description = "Drop the last batch of a training pass when it is not full (validation always sees every image)." };
    private readonly EnumChoiceOption<FitMode> _fit = ChoiceOption.Create("--fit", "How a non-square image becomes square: stretch (Keras' default) or a centre crop.", FitMode.Stretch);
    private readonly Option<bool> _noFlip = new("--no-flip") { Description = "Do not flip training images horizontally at random." };
    private readonly Option<double> _shear = RangedOption.Create("--shear", "Largest random shear factor for training images.", 0.2, 0.0, 1.0);
    private readonly Option<double> _zoom = RangedOption.Create("--zoom", "Largest random zoom for training images: each axis scales by 1 ± this.", 0.2, 0.0, 0.9);
    private readonly Option<long> _maxPixels = RangedOption.Create("--max-pixels", "Images whose header claims more pixels are skipped before decoding.", 50_000_000L, 1L, 1L << 40);
    private readonly EnumChoiceOption<DecoderChoice> _decoder = ChoiceOption.Create(
        "--decoder", "JPEG decoder: turbojpeg (libjpeg-turbo's SIMD; other formats go to Skia), skia, or auto (turbojpeg where its library loads).", DecoderChoice.Auto);
    private readonly EnumChoiceOption<CacheMode> _cache = ChoiceOption.Create(
        "--cache", "Keep decoded images for later passes and runs: memory, disk (a memory-mapped file under data/cache/), off, or auto (memory when it fits in a quarter of the free memory, else disk).", CacheMode.Auto);
    private readonly Option<int>? _seed;

    /// <param name="seed">The training verbs' seed, which also draws the augmentation; null for the inference verbs.</param>
    public InputOptions(Option<int>? seed) => _seed = seed;

    public IReadOnlyList<Option> All => _seed is null
        ? [_batchSize, _decoder, _cache, _decodeThreads, _queuePerThread, _prefetch, _maxPixels]
        : [_batchSize, _imageSize, _decoder, _cache, _decodeThreads, _queuePerThread, _prefetch, _dropLast, _fit, _noFlip, _shear, _zoom, _maxPixels];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Add(option);
        }
    }

    public InputPipelineOptions Bind(ParseResult result)
    {
        var options = new InputPipelineOptions
        {
            BatchSize = result.GetValue(_batchSize),
            DecodeThreads = result.GetValue(_decodeThreads),
            QueuePerThread = result.GetValue(_queuePerThread),
            Prefetch = result.GetValue(_prefetch),
            MaxPixels = result.GetValue(_maxPixels),
            Decoder = _decoder.ValueIn(result),
            Cache = _cache.ValueIn(result),
            Augment = AugmentOptions.None,
        };
        return _seed is null ? options : options with
        {
            Fit = _fit.ValueIn(result),
            ImageSize = result.GetValue(_imageSize),
            DropLastPartial = result.GetValue(_dropLast),
            Augment = new AugmentOptions(!result.GetValue(_noFlip), result.GetValue(_shear), result.GetValue(_zoom)),
            Seed = result.GetValue(_seed),
        };
    }
}
