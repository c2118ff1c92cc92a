using CatsDogs.Telemetry.Gpu;
using Microsoft.Extensions.Logging;

namespace CatsDogs.Tests.Telemetry;

public sealed class GpuSamplerTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    private readonly string _dir = Directory.CreateTempSubdirectory("catsdogs-sampler-").FullName;
    private readonly FakeGpu _gpu = new();
    private readonly CapturingLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Publishes_readings_and_appends_them_to_the_attached_csv()
    {
        var csv = Path.Combine(_dir, "gpu.csv");
        using (var sampler = GpuSampler.Start(_gpu, Period, _log))
        {
            WaitUntil(() => sampler.Latest.Count == 1);
            sampler.LogTo(GpuCsvLog.Open(csv));
            WaitUntil(() => File.ReadAllLines(csv).Length >= 3);
            Assert.Equal(FakeGpu.H200, sampler.Latest[0].Device);
        }

        Assert.True(_gpu.Disposed);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(GpuCsvLog.Header, lines[0]);
        Assert.All(lines[1..], l => Assert.Contains(", NVIDIA H200, 00000000:19:00.0, 570.86.15, P0, ", l));
        Assert.Empty(_log.Entries);
    }

    [Fact]
    public void Samples_at_once_then_on_the_periods_grid_never_more_often()
    {
        var period = TimeSpan.FromMilliseconds(100);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using (GpuSampler.Start(_gpu, period, _log))
        {
            WaitUntil(() => _gpu.Reads >= 6);
        }

        clock.Stop();

        // The first read at once, then one per period: however long the wait really took, a loaded
        // machine may lose reads (a late one is not made up twice) but never gain any.
        Assert.InRange(_gpu.Reads, 6, (int)(clock.Elapsed / period) + 1);
    }

    [Fact]
    public void A_failing_gpu_is_logged_once_and_its_series_disappear()
    {
        using var sampler = GpuSampler.Start(_gpu, Period, _log);
        WaitUntil(() => sampler.Latest.Count == 1);
        _gpu.FailWith("GPU is lost");
        WaitUntil(() => sampler.Latest.Count == 0);
        Thread.Sleep(10 * Period);

        var entry = Assert.Single(_log.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("GPU is lost", entry.Message);
        Assert.Empty(sampler.Latest);
    }

    [Fact]
    public void A_full_disk_stops_the_csv_once_and_sampling_goes_on()
    {
        using var sampler = GpuSampler.Start(_gpu, Period, _log);
        sampler.LogTo(new GpuCsvLog(new FullDiskStream(), writeHeader: false));
        WaitUntil(() => _log.Entries.Count > 0);
        int reads = _gpu.Reads;
        WaitUntil(() => _gpu.Reads > reads + 3);

        var entry = Assert.Single(_log.Entries);
        Assert.Equal("gpu.csv is no longer written: No space left on device. GPU metrics go on.", entry.Message);
        Assert.Single(sampler.Latest);
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the sampler");
            Thread.Sleep(5);
        }
    }
}
