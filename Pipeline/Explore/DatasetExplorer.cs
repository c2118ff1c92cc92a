using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Dataflow.Internal;

namespace CatsDogs.Pipeline.Explore;

/// <summary>
/// Reads every image of a data set once, in parallel, decoding it at the smallest scale so that
/// corrupt and truncated files are found, not just unreadable headers.
/// </summary>
internal static class DatasetExplorer
{
    public static ImageFacts[] Inspect(DatasetIndex index, IImageDecoder decoder, long maxPixels, int threads, IProgress<int> progress)
    {
        var facts = new ImageFacts[index.Entries.Count];
        var done = 0;
        Parallel.For(
            0,
            facts.Length,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new ImageJob(tileBytes: 0),
            (i, _, job) =>
            {
                var entry = index.Entries[i];
                job.Reset(i, i, entry.Label);
                ImageFileReader.Read(job, index.FullPath(entry));
                if (job.Skip == SkipReason.None)
                {
                    decoder.Decode(job, minSide: 1, maxPixels);
                }

                facts[i] = new ImageFacts(entry, job.SourceWidth, job.SourceHeight, job.Skip, job.SkipDetail);
                progress.Report(Interlocked.Increment(ref done));
                return job;
            },
            job => job.Dispose());
        return facts;
    }
}
