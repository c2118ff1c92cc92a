namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// The input pipeline's settings that a running process may change (by <c>retune</c>, or by the
/// autotuner), as they are in force. The worker threads take an image all the way; the three
/// thread counts bound how many of them may be reading, decoding and warping at one time, and
/// together how many images are in progress at all (the largest of the three). None of them
/// changes what a batch holds: that is fixed by the seed, whatever the timing.
/// </summary>
/// <param name="DecodeThreads">Workers decoding at one time, and the default of the other two.</param>
/// <param name="ReadThreads">Workers reading a file at one time (on a slow disk, more than the decoders).</param>
/// <param name="AugmentThreads">Workers warping at one time; the only step of a pass over a complete cache.</param>
/// <param name="Prefetch">Finished batches kept ready ahead of the consumer.</param>
/// <param name="QueuePerThread">Chunks of 8 images each block may hold per worker.</param>
internal sealed record PipelineSettings(int DecodeThreads, int ReadThreads, int AugmentThreads, int Prefetch, int QueuePerThread)
{
    /// <summary>Images in progress at one time: a worker holds its chunk from read to warp.</summary>
    public int Workers => Math.Max(DecodeThreads, Math.Max(ReadThreads, AugmentThreads));

    /// <summary>One setting's value by its name; batch_size and cache are fixed for a run and not among these.</summary>
    public int Of(SettingName name) => name switch
    {
        SettingName.DecodeThreads => DecodeThreads,
        SettingName.ReadThreads => ReadThreads,
        SettingName.AugmentThreads => AugmentThreads,
        SettingName.Prefetch => Prefetch,
        SettingName.QueuePerThread => QueuePerThread,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a setting a running process may change."),
    };

    /// <summary>These settings with one of them, named, set to <paramref name="value"/>.</summary>
    public PipelineSettings With(SettingName name, int value) => name switch
    {
        SettingName.DecodeThreads => this with { DecodeThreads = value },
        SettingName.ReadThreads => this with { ReadThreads = value },
        SettingName.AugmentThreads => this with { AugmentThreads = value },
        SettingName.Prefetch => this with { Prefetch = value },
        SettingName.QueuePerThread => this with { QueuePerThread = value },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a setting a running process may change."),
    };
}
