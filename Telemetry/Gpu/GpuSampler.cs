using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CatsDogs.Telemetry.Gpu;

/// <summary>
/// Reads every GPU about once a second on its own thread, publishes the latest samples for the
/// metric callbacks and appends them to gpu.csv when one is attached.
/// Threading: one background thread (NVML's PCIe query blocks for 20 ms, which has no place on the
/// thread pool the input pipeline runs on) owns the reader. <see cref="Latest"/> is an immutable array
/// swapped atomically, read by scrape threads without locks. <see cref="_csvLock"/> guards only the
/// csv log, which the app attaches while the thread may be writing.
/// </summary>
internal sealed class GpuSampler : IDisposable
{
    // Set once.
    private readonly IGpuReader _reader;
    private readonly TimeSpan _period;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    // Written by the sampler thread, read by anyone.
    private GpuSample[] _latest = [];

    // Attached by the app, written by the sampler thread.
    private readonly Lock _csvLock = new();
    private GpuCsvLog? _csv;

    private GpuSampler(IGpuReader reader, TimeSpan period, ILogger logger)
    {
        _reader = reader;
        _period = period;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "CatsDogs GPU sampler" };
    }

    /// <summary>The samples of the last successful reading; empty before the first and after a failure.</summary>
    public IReadOnlyList<GpuSample> Latest => Volatile.Read(ref _latest);

    /// <summary>Takes ownership of <paramref name="reader"/>, reads once right away, then every <paramref name="period"/>.</summary>
    public static GpuSampler Start(IGpuReader reader, TimeSpan period, ILogger logger)
    {
        var sampler = new GpuSampler(reader, period, logger);
        sampler._thread.Start();
        return sampler;
    }

    /// <summary>Appends every later reading to <paramref name="csv"/>, which the sampler then owns.</summary>
    public void LogTo(GpuCsvLog csv)
    {
        lock (_csvLock)
        {
            _csv?.Dispose();
            _csv = csv;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _reader.Dispose();
        lock (_csvLock)
        {
            _csv?.Dispose();
            _csv = null;
        }

        _stop.Dispose();
    }

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        var due = TimeSpan.Zero;
        do
        {
            GpuSample[] samples;
            try
            {
                samples = [.. _reader.ReadAll(DateTimeOffset.Now)];
            }
            catch (Exception e)
            {
                Volatile.Write(ref _latest, []);
                _logger.LogWarning("GPU sampling stopped: {Reason}. The hw.gpu.* and catsdogs.gpu.* series are absent from now on and gpu.csv gets no more rows.", e.Message);
                return;
            }

            Volatile.Write(ref _latest, samples);
            AppendToCsv(samples);

            // Keep to the period's grid rather than period-after-the-read: a slow read must not stretch every interval.
            due += _period;
            var wait = due - clock.Elapsed;
            if (wait < TimeSpan.Zero)
            {
                due = clock.Elapsed;
                wait = TimeSpan.Zero;
            }

            _stop.Token.WaitHandle.WaitOne(wait);
        }
        while (!_stop.IsCancellationRequested);
    }

    private void AppendToCsv(GpuSample[] samples)
    {
        lock (_csvLock)
        {
            if (_csv is null)
            {
                return;
            }

            try
            {
                _csv.Append(samples);
            }
            catch (IOException e)
            {
                var broken = _csv;
                _csv = null;
                _logger.LogWarning("gpu.csv is no longer written: {Reason}. GPU metrics go on.", e.Message);
                try
                {
                    broken.Dispose();
                }
                catch (IOException)
                {
                    // Closing flushes; the flush fails for the reason just logged.
                }
            }
        }
    }
}
