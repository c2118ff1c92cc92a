using CatsDogs.Pipeline.Dataflow.Internal;

namespace CatsDogs.Pipeline.Dataflow.Decoding;

/// <summary>
/// Turns a job's encoded bytes into RGBA pixels at the smallest size whose sides are both at
/// least <c>minSide</c> (or the full size when the image is smaller). Implementations are used
/// from several threads at once and keep no per-image state of their own; disposing one frees
/// what it keeps between images.
/// </summary>
internal interface IImageDecoder : IDisposable
{
    string Name { get; }

    /// <summary>What makes its pixels what they are (library versions): a cache of its output is keyed by it.</summary>
    string Version { get; }

    /// <summary>Fills the job's decoded fields, or sets <see cref="ImageJob.Skip"/> and returns false.</summary>
    bool Decode(ImageJob job, int minSide, long maxPixels);
}
