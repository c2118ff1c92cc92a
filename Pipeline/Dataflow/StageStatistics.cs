using System.Diagnostics;

namespace CatsDogs.Pipeline.Dataflow;

/// <summary>
/// Counters for one stage of the graph: how many images it handled and how long its threads
/// were busy. Updated with interlocked adds from the stage's threads; read at any time. They only
/// grow (they are exported as counters); a benchmark measures a stretch as the difference of two
/// <see cref="Figures"/>.
/// </summary>
internal sealed class StageStatistics(string name, int parallelism)
{
    private long _images;
    private long _busyTicks;
    private long _pixels;

    public string Name { get; } = name;

    private int _parallelism = parallelism;

    /// <summary>Threads the stage may run on now: a retune changes it.</summary>
    public int Parallelism
    {
        get => Volatile.Read(ref _parallelism);
        set => Volatile.Write(ref _parallelism, value);
    }

    public long Images => Interlocked.Read(ref _images);

    /// <summary>Source pixels of the images the stage handled (the header's size: what a user thinks of as the image); the decode stage counts only those it decoded.</summary>
    public long Pixels => Interlocked.Read(ref _pixels);

    public TimeSpan Busy => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _busyTicks));

    /// <summary>The counts so far.</summary>
    public StageFigures Figures => new(Name, Parallelism, Images, Busy, Pixels);

    public void Record(long startTimestamp, long pixels, int images = 1)
    {
        Interlocked.Add(ref _busyTicks, Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Add(ref _pixels, pixels);
        Interlocked.Add(ref _images, images);
    }
}

/// <summary>A stage's counts over some stretch of work, and the rates its threads sustained while busy.</summary>
internal sealed record StageFigures(string Name, int Parallelism, long Images, TimeSpan Busy, long Pixels)
{
    /// <summary>What the stage could sustain with its threads, were it never starved or blocked.</summary>
    public double ImagesPerSecond => Busy > TimeSpan.Zero ? Images * Parallelism / Busy.TotalSeconds : 0;

    /// <summary>One thread's busy time per image.</summary>
    public double MicrosecondsPerImage => Images > 0 ? Busy.TotalMicroseconds / Images : 0;

    public double MegapixelsPerSecond => Busy > TimeSpan.Zero ? Pixels * Parallelism / Busy.TotalSeconds / 1e6 : 0;

    /// <summary>What was done since <paramref name="earlier"/>, figures of the same stage.</summary>
    public StageFigures Since(StageFigures earlier) => this with { Images = Images - earlier.Images, Busy = Busy - earlier.Busy, Pixels = Pixels - earlier.Pixels };
}
