using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Tests.Dataflow;

/// <summary>
/// Allocation counts are process-wide, so these tests run alone: another test allocating at the
/// same time would be counted against the pipeline.
/// </summary>
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsCollection;

[Collection(nameof(AllocationTests))]
public sealed class AllocationTests(InputPipelineTests.Files files) : IClassFixture<InputPipelineTests.Files>
{
    [Fact]
    public async Task Steady_state_allocates_no_pixel_or_buffer_memory_per_image()
    {
        async Task<double> BytesPerImage(int imageSize)
        {
            using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { DecodeThreads = 2, BatchSize = 32, ImageSize = imageSize });

            async Task<long> AllocatedBy(int images)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                await foreach (var batch in pipeline.ReadAsync(files.Harness.Repeated(images), PassKind.Training, 0, CancellationToken.None))
                {
                    batch.Dispose();
                }

                return GC.GetTotalAllocatedBytes(precise: true) - before;
            }

            await AllocatedBy(400);
            var small = await AllocatedBy(400);
            var large = await AllocatedBy(2400);
            return (double)(large - small) / 2000;
        }

        // A 16² tile is 768 bytes and a 96² one 27 KB; the encoded files are 1–6 KB. Were any of
        // them allocated per image, the cost would pass the budget and grow with the size.
        var tiny = await BytesPerImage(16);
        var large = await BytesPerImage(96);

        Assert.True(tiny < AllocationBudgetPerImage, $"{tiny:F0} managed bytes per 16-pixel image; the budget is {AllocationBudgetPerImage}.");
        Assert.True(large < AllocationBudgetPerImage, $"{large:F0} managed bytes per 96-pixel image; the budget is {AllocationBudgetPerImage}.");
        Assert.InRange(large - tiny, -128, 128);
    }

    /// <summary>
    /// The fixed cost per image that is not ours to remove: SkiaSharp's SKData and SKCodec
    /// wrappers (about 216 bytes), the file handle (64) and TPL Dataflow starting a task when a
    /// starved block receives a message. See docs/BENCHMARKS.md.
    /// </summary>
    private const int AllocationBudgetPerImage = 1024;
}
