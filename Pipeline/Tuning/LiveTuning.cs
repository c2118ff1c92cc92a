using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning.Retune;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// What makes a running verb's pipeline tunable from outside, for as long as it lives: its settings
/// in settings.csv and on the gauge (<see cref="SettingsControl"/>), and a <c>retune</c> listener on
/// its run folder. The caller holds the run folder's lock, which is how retune finds the process.
/// </summary>
internal sealed class LiveTuning : IDisposable
{
    private readonly RetuneListener _listener;

    public LiveTuning(RunFolder run, InputPipeline pipeline, PipelineMetrics? metrics, TextWriter log)
    {
        Control = new SettingsControl(pipeline, new SettingsCsv(run.File(SettingsCsv.FileName)), log, metrics);
        _listener = new RetuneListener(run, Control, log);
    }

    public SettingsControl Control { get; }

    public void Dispose()
    {
        _listener.Dispose();
        Control.Dispose();
    }
}
