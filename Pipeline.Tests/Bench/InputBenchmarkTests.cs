using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Tests.Dataflow;
using Spectre.Console;

namespace CatsDogs.Tests.Bench;

public sealed class InputBenchmarkTests : IDisposable
{
    private readonly PipelineHarness _files = new(40);

    [Fact]
    public async Task Only_the_passes_after_the_warm_up_are_measured()
    {
        using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { DecodeThreads = 2, BatchSize = 16, ImageSize = 16 });
        var quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var benchmark = new InputBenchmark(pipeline, new ImageSource(_files.Index), PassKind.Training, quiet);

        var result = await benchmark.RunAsync(InputBenchmark.Warmup.Passes(3), passes: 2, CancellationToken.None);

        Assert.Equal(3, result.WarmupPasses);
        Assert.Equal(2 * 40, result.Images);
        // The per-stage figures, too, count the measured passes only, while the stages' own counters (exported) never go back.
        Assert.All(result.Stages, stage => Assert.Equal(2 * 40, stage.Images));
        Assert.All(pipeline.Stages, stage => Assert.Equal(5 * 40, stage.Images));
        Assert.True(result.SourcePixels > 0 && result.SourcePixels < pipeline.DecodeStage.Pixels, "pixels of the measured passes only");
        Assert.True(result.CpuTime > TimeSpan.Zero && result.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public async Task Waiting_for_the_jit_warms_up_for_at_least_the_quiet_window_and_at_most_the_limit()
    {
        using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { DecodeThreads = 2, BatchSize = 16, ImageSize = 16 });
        var quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var benchmark = new InputBenchmark(pipeline, new ImageSource(_files.Index), PassKind.Training, quiet);
        var warmup = new InputBenchmark.Warmup(MinimumPasses: 2, QuietWindow: TimeSpan.FromMilliseconds(300), MaxTime: TimeSpan.FromSeconds(3));

        var result = await benchmark.RunAsync(warmup, passes: 1, CancellationToken.None);

        // The time shows that it waited for the window. How many passes fill the window is up to the machine's speed (a loaded
        // one may fill it with the minimum), so the count is held to the minimum only.
        Assert.InRange(result.WarmupPasses, warmup.MinimumPasses, int.MaxValue);
        Assert.InRange(result.WarmupTime, warmup.QuietWindow, warmup.MaxTime + TimeSpan.FromSeconds(2));
    }

    public void Dispose() => _files.Dispose();
}
