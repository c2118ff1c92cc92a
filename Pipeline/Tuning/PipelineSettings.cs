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
}
