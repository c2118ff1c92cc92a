using CatsDogs.Model.Memory;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Dataflow;

/// <summary>A folder of generated JPEGs and ways to run passes over it.</summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly TempFolder _folder = new();

    /// <param name="images">Distinct files to write, cats and dogs alternating, in several sizes and aspect ratios.</param>
    public PipelineHarness(int images)
    {
        for (var i = 0; i < images; i++)
        {
            var label = i % 2 == 0 ? "cat" : "dog";
            _folder.Write($"{label}/{i:D4}.jpg", Images.Jpeg(24 + i % 5 * 23, 20 + i % 3 * 31, seed: i, quality: 80));
        }

        Index = DatasetIndex.Scan(_folder.Path, requireLabels: true);
    }

    public DatasetIndex Index { get; }

    public string Root => _folder.Path;

    /// <summary>A source of <paramref name="count"/> entries cycling over the files, for passes longer than the folder.</summary>
    public ImageSource Repeated(int count) =>
        new(Index.Root, Enumerable.Range(0, count).Select(i => Index.Entries[i % Index.Entries.Count]).ToList());

    public static InputPipeline Pipeline(InputPipelineOptions options, TextWriter? log = null) =>
        new(options, AlignedHostAllocator.Instance, log ?? TextWriter.Null);

    /// <summary>Runs one pass and returns, per batch, the image indices of its rows.</summary>
    public static async Task<List<int[]>> RowsOfEachBatch(InputPipeline pipeline, ImageSource source, PassKind kind, int epoch)
    {
        var batches = new List<int[]>();
        await foreach (var batch in pipeline.ReadAsync(source, kind, epoch, CancellationToken.None))
        {
            using (batch)
            {
                batches.Add(batch.ImageIndices[..batch.Count]);
            }
        }

        return batches;
    }

    public void Dispose() => _folder.Dispose();
}
