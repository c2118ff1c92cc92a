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
    private readonly Option<int> _imageSize = SharedOptions.ImageSize();
    private readonly Option<int> _decodeThreads = RangedOption.Create(
        "--decode-threads", "Threads taking images from file (or cache) to tile: read, decode, augment. More than the cores only adds switching.", Environment.ProcessorCount, 1, 256);
    private readonly Option<int?> _readThreads = RangedOption.CreateOptional<int>(
        "--read-threads", "Of the decode threads, how many may be reading a file at one time (raise it above --decode-threads for a slow disk). Default: as many as --decode-threads.", 1, 256);
    private readonly Option<int?> _augmentThreads = RangedOption.CreateOptional<int>(
        "--augment-threads", "How many threads may be warping images into tiles at one time; a pass over a complete cache does only that. Default: as many as --decode-threads.", 1, 256);
    private readonly Option<int> _queuePerThread = RangedOption.Create("--queue-per-thread", "Chunks of 8 images each block may hold per thread (its bounded capacity).", 4, 1, 1024);
    private readonly Option<int> _prefetch = RangedOption.Create("--prefetch", "Finished batches kept ready ahead of the consumer: the pool holds this many batch buffers, one more being filled and the two the consumer holds (uploading and computing), so the ready queue may reach prefetch + 1 while the consumer holds two, more while it holds fewer.", 4, 1, 1024);
    private readonly Option<bool> _dropLast = new("--drop-last") { Description = "Drop the last batch of a training pass when it is not full (validation always sees every image)." };
    private readonly EnumChoiceOption<FitMode> _fit = ChoiceOption.Create("--fit", "How a non-square image becomes square: stretch (Keras' default) or a centre crop.", FitMode.Stretch);
    private readonly Option<bool> _noFlip = new("--no-flip") { Description = "Do not flip training images horizontally at random." };
    private readonly Option<double> _shear = RangedOption.Create("--shear", "Largest random shear factor for training images.", 0.2, 0.0, 1.0);
    private readonly Option<double> _zoom = RangedOption.Create("--zoom", "Largest random zoom for training images: each axis scales by 1 ± this.", 0.2, 0.0, 0.9);
    private readonly Option<double> _translate = RangedOption.Create(
        "--translate", "Largest random shift of training images along each axis, as a share of the side (0.125: 4 of 32 pixels), rounded to whole pixels, edge pixels filling in.", 0.0, 0.0, 0.5);
    private readonly Option<long> _maxPixels = RangedOption.Create("--max-pixels", "Images whose header claims more pixels are skipped before decoding.", 50_000_000L, 1L, 1L << 40);
    private readonly EnumChoiceOption<DecoderChoice> _decoder = ChoiceOption.Create(
        "--decoder", "JPEG decoder: turbojpeg (libjpeg-turbo's SIMD; other formats go to Skia), skia, or auto (turbojpeg where its library loads).", DecoderChoice.Auto);
    private readonly EnumChoiceOption<CacheMode> _cache = ChoiceOption.Create(
        "--cache", "Keep decoded images for later passes and runs: memory, disk (a memory-mapped file under data/cache/), off, or auto (memory when it fits in a quarter of the free memory, else disk).", CacheMode.Auto);

    /// <param name="training">
    /// For the training verbs, whose images are also sized, fitted, augmented and dropped here; the inference verbs
    /// take the size and fit from the checkpoint and neither augment nor drop.
    /// </param>
    public InputOptions(bool training) => Settings = CreateSettings(training);

    /// <summary>Each option and what it sets in the pipeline's options.</summary>
    public OptionSettings<InputPipelineOptions> Settings { get; }

    public void AddTo(Command command)
    {
        foreach (var option in Settings.Options)
        {
            command.Add(option);
        }
    }

    /// <summary>The pipeline's options as the command line gives them (an inference verb's pipeline does not augment).</summary>
    public InputPipelineOptions Bind(ParseResult result) =>
        Settings.Apply(new InputPipelineOptions { Augment = AugmentOptions.None }, result, _ => true);

    private OptionSettings<InputPipelineOptions> CreateSettings(bool training)
    {
        var settings = new OptionSettings<InputPipelineOptions>().Add(_batchSize, input => input.BatchSize, (input, value) => input with { BatchSize = value });
        if (training)
        {
            settings.Add(_imageSize, input => input.ImageSize, (input, value) => input with { ImageSize = value });
        }

        settings
            .AddChoice(_decoder, input => input.Decoder, (input, value) => input with { Decoder = value })
            .AddChoice(_cache, input => input.Cache, (input, value) => input with { Cache = value })
            .Add(_decodeThreads, input => input.DecodeThreads, (input, value) => input with { DecodeThreads = value })
            .Add(_readThreads, input => input.ReadThreads, (input, value) => input with { ReadThreads = value })
            .Add(_augmentThreads, input => input.AugmentThreads, (input, value) => input with { AugmentThreads = value })
            .Add(_queuePerThread, input => input.QueuePerThread, (input, value) => input with { QueuePerThread = value })
            .Add(_prefetch, input => input.Prefetch, (input, value) => input with { Prefetch = value });
        if (training)
        {
            settings
                .Add(_dropLast, input => input.DropLastPartial, (input, value) => input with { DropLastPartial = value })
                .AddChoice(_fit, input => input.Fit, (input, value) => input with { Fit = value })
                .Add(_noFlip, input => !input.Augment.Flip, (input, value) => input with { Augment = input.Augment with { Flip = !value } })
                .Add(_shear, input => input.Augment.Shear, (input, value) => input with { Augment = input.Augment with { Shear = value } })
                .Add(_zoom, input => input.Augment.Zoom, (input, value) => input with { Augment = input.Augment with { Zoom = value } })
                .Add(_translate, input => input.Augment.Translate, (input, value) => input with { Augment = input.Augment with { Translate = value } });
        }

        return settings.Add(_maxPixels, input => input.MaxPixels, (input, value) => input with { MaxPixels = value });
    }
}
