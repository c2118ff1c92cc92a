using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Autotune;
using CatsDogs.Tests.Dataflow;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Tuning;

/// <summary>
/// The autotuner inside a real pass: its decisions take the retune path (settings.csv, the log, the
/// settings in force), it never moves what a user named, and a refused change leaves everything as it was.
/// </summary>
public sealed class AutotuneSessionTests : IClassFixture<AutotuneSessionTests.Files>
{
    private static readonly InputPipelineOptions Options = new() { DecodeThreads = 1, Prefetch = 1, QueuePerThread = 2, BatchSize = 8, ImageSize = 16 };

    private readonly PipelineHarness _files;

    public AutotuneSessionTests(Files files) => _files = files.Harness;

    public sealed class Files : IDisposable
    {
        internal PipelineHarness Harness { get; } = new(20);

        public void Dispose() => Harness.Dispose();
    }

    [Fact]
    public async Task A_trainer_that_outruns_one_decoder_gets_a_second_through_the_retune_path()
    {
        Assert.True(Environment.ProcessorCount >= 2, "this test needs two cores, as CI has, for a second decode thread to be allowed");
        using var folder = new TempFolder();
        var (pipeline, control, log, csv) = Open(folder);
        using (pipeline)
        using (control)
        {
            // Passes until the autotuner acts, at most 20: how many windows a pass gives depends on the machine's load.
            var autotune = new AutotuneSession(control, pipeline, TimeSpan.FromMilliseconds(20));
            for (var pass = 0; pass < 20 && control.Current.DecodeThreads == 1; pass++)
            {
                await Train(pipeline, autotune);
            }

            Assert.True(control.Current.DecodeThreads == 2, $"decode threads {control.Current.DecodeThreads} after the passes; the log: {log}");
            var autotuned = File.ReadAllLines(csv.Path).Skip(1).Select(line => line.Split(',')).Where(row => row[1] == "autotune").ToList();
            Assert.NotEmpty(autotuned);
            Assert.Contains(autotuned, row => row[2] == "2" && row[^1].Contains("decode threads 1 → 2", StringComparison.Ordinal));
            Assert.Contains("settings by autotune: decode_threads 1 -> 2 (input wait ", log.ToString());
        }
    }

    [Fact]
    public async Task Settings_a_user_named_are_never_moved_by_the_autotuner()
    {
        using var folder = new TempFolder();
        var (pipeline, control, log, csv) = Open(folder);
        using (pipeline)
        using (control)
        {
            control.Change(new Dictionary<SettingName, int> { [SettingName.DecodeThreads] = 1, [SettingName.ReadThreads] = 1 }, ChangeSource.User, "retune");

            await Train(pipeline, new AutotuneSession(control, pipeline, TimeSpan.FromMilliseconds(20)));

            Assert.Equal((1, 1), (control.Current.DecodeThreads, control.Current.ReadThreads));
            Assert.Equal(new HashSet<SettingName> { SettingName.DecodeThreads, SettingName.ReadThreads }, control.PinnedByUser);
            Assert.DoesNotContain("settings by autotune: decode_threads", log.ToString());
            Assert.Equal(["start", "user"], File.ReadAllLines(csv.Path).Skip(1).Select(line => line.Split(',')[1]).Where(source => source != "autotune"));
        }
    }

    [Fact]
    public void A_refused_change_changes_nothing_and_writes_no_row()
    {
        using var folder = new TempFolder();
        var (pipeline, control, _, csv) = Open(folder);
        using (pipeline)
        using (control)
        {
            var before = control.Current;

            var refused = Assert.Throws<SettingRefusedException>(() => control.Change(
                new Dictionary<SettingName, int> { [SettingName.Prefetch] = 3, [SettingName.DecodeThreads] = Environment.ProcessorCount + 1 }, ChangeSource.User, "retune"));

            Assert.Equal($"--decode-threads must be between 1 and {Environment.ProcessorCount} ({Environment.ProcessorCount} cores); got {Environment.ProcessorCount + 1}.", refused.Message);
            Assert.Equal(before, control.Current);
            Assert.Equal(before, pipeline.Settings);
            Assert.Equal(2, File.ReadAllLines(csv.Path).Length);
            Assert.Empty(control.PinnedByUser);
        }
    }

    private (InputPipeline Pipeline, SettingsControl Control, StringWriter Log, SettingsCsv Csv) Open(TempFolder folder)
    {
        var log = new StringWriter();
        var pipeline = PipelineHarness.Pipeline(Options, log);
        var csv = new SettingsCsv(folder.Combine(SettingsCsv.FileName));
        return (pipeline, new SettingsControl(pipeline, csv, log, metrics: null), log, csv);
    }

    /// <summary>A pass whose steps take no time: all its time is input wait, and the single decoder is the bottleneck.</summary>
    private async Task Train(InputPipeline pipeline, AutotuneSession autotune)
    {
        autotune.PassStarted();
        var batches = pipeline.ReadAsync(_files.Repeated(4000), PassKind.Training, 0, CancellationToken.None).GetAsyncEnumerator();
        try
        {
            while (true)
            {
                var ready = autotune.ReadyBatches;
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                if (!await batches.MoveNextAsync())
                {
                    break;
                }

                var wait = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                batches.Current.Dispose();
                autotune.StepDone(ready, wait, TimeSpan.FromTicks(1));
            }
        }
        finally
        {
            await batches.DisposeAsync();
        }
    }
}
