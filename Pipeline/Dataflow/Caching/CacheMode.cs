namespace CatsDogs.Pipeline.Dataflow.Caching;

/// <summary>Where decoded images are kept between passes (<c>--cache</c>).</summary>
internal enum CacheMode
{
    /// <summary>Memory when the cache's estimate fits in a quarter of the memory available, else disk.</summary>
    Auto,

    /// <summary>In this process, up to a quarter of the memory available when the pipeline starts.</summary>
    Memory,

    /// <summary>One memory-mapped file per data set and setting under data/cache/, reused by later runs.</summary>
    Disk,

    /// <summary>Every pass decodes every image.</summary>
    Off,
}
