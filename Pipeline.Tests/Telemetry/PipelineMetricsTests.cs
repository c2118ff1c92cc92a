using CatsDogs.Telemetry;

namespace CatsDogs.Tests.Telemetry;

public sealed class PipelineMetricsTests : IDisposable
{
    private readonly TestMeters _meters = new();
    private readonly PipelineMetrics _metrics;

    public PipelineMetricsTests() => _metrics = new PipelineMetrics(_meters.Factory);

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void Reports_the_tracked_image_count_of_every_stage()
    {
        using var images = _meters.Collect<long>("catsdogs.pipeline.images");
        long decoded = 4;
        var tracked = Enum.GetValues<PipelineStage>()
            .Select(s => _metrics.TrackImages(s, s == PipelineStage.Decode ? () => decoded : () => 10 + (int)s))
            .ToArray();

        images.RecordObservableInstruments();
        decoded = 9;
        images.RecordObservableInstruments();
        tracked[0].Dispose();
        images.RecordObservableInstruments();

        var observed = images.GetMeasurementSnapshot().Select(m => $"{m.Tags["stage"]}={m.Value}").ToArray();
        Assert.Equal(
            ["read=10", "decode=4", "augment=12", "batch=13",
             "read=10", "decode=9", "augment=12", "batch=13",
             "decode=9", "augment=12", "batch=13"],
            observed);
    }

    [Fact]
    public void Reports_skipped_images_by_reason_zeros_included_until_disposed()
    {
        using var skipped = _meters.Collect<long>("catsdogs.pipeline.images.skipped");
        long corrupt = 0;
        var tracked = new[] { _metrics.TrackSkipped("corrupt", () => corrupt), _metrics.TrackSkipped("too_small", () => 0) };

        skipped.RecordObservableInstruments();
        corrupt = 2;
        skipped.RecordObservableInstruments();
        tracked[1].Dispose();
        skipped.RecordObservableInstruments();

        var observed = skipped.GetMeasurementSnapshot().Select(m => $"{m.Tags["reason"]}={m.Value}").ToArray();
        Assert.Equal(["corrupt=0", "too_small=0", "corrupt=2", "too_small=0", "corrupt=2"], observed);
        Assert.Throws<ArgumentException>(() => _metrics.TrackSkipped(" ", () => 0));
        tracked[0].Dispose();
    }

    [Fact]
    public void Records_batch_assembly_in_seconds()
    {
        using var assembly = _meters.Collect<double>("catsdogs.pipeline.batch.assembly.duration");
        _metrics.RecordBatchAssembly(TimeSpan.FromMilliseconds(12.5));
        Assert.Equal(0.0125, Assert.Single(assembly.GetMeasurementSnapshot()).Value, 9);
    }

    [Fact]
    public void Reports_tracked_queues_at_each_observation_until_disposed()
    {
        using var depth = _meters.Collect<long>("catsdogs.pipeline.queue.depth");
        int decodeIn = 7;
        var decode = _metrics.TrackQueue("decode", () => decodeIn, () => 2);
        using var batch = _metrics.TrackQueue("batch", () => 1, () => 4);

        depth.RecordObservableInstruments();
        decodeIn = 9;
        depth.RecordObservableInstruments();
        decode.Dispose();
        depth.RecordObservableInstruments();

        var observed = depth.GetMeasurementSnapshot().Select(m => $"{m.Tags["block"]}/{m.Tags["side"]}={m.Value}").ToArray();
        Assert.Equal(
            ["decode/input=7", "decode/output=2", "batch/input=1", "batch/output=4",
             "decode/input=9", "decode/output=2", "batch/input=1", "batch/output=4",
             "batch/input=1", "batch/output=4"],
            observed);
    }

    [Fact]
    public void A_name_is_tracked_once_at_a_time()
    {
        var first = _metrics.TrackQueue("decode", () => 0, () => 0);
        Assert.Throws<ArgumentException>(() => _metrics.TrackQueue("decode", () => 0, () => 0));
        first.Dispose();
        _metrics.TrackQueue("decode", () => 0, () => 0).Dispose();

        using var read = _metrics.TrackImages(PipelineStage.Read, () => 0);
        Assert.Throws<ArgumentException>(() => _metrics.TrackImages(PipelineStage.Read, () => 0));
    }

    [Fact]
    public void Reports_the_buffer_pool_free_and_in_use()
    {
        using var pool = _meters.Collect<long>("catsdogs.pipeline.pool.buffers");
        using (_metrics.TrackBufferPool("batches", () => 3, () => 5))
        {
            pool.RecordObservableInstruments();
        }

        pool.RecordObservableInstruments();
        var observed = pool.GetMeasurementSnapshot().Select(m => $"{m.Tags["pool"]}/{m.Tags["state"]}={m.Value}").ToArray();
        Assert.Equal(["batches/free=3", "batches/in_use=5"], observed);
    }
}
