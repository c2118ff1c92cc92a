using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// <c>--autotune</c> in a training run: gathers what the trainer and the pipeline's workers did over
/// windows of about two seconds of training, hands each to the <see cref="Autotuner"/>, and puts its
/// decision in force through <see cref="SettingsControl"/>, the same path as a user's retune (so it is
/// logged, in settings.csv and on the gauge, and never moves a setting the user named). A window
/// never spans two passes, and the first of each training pass is dropped: the pass starts with an
/// empty queue, and its wait says nothing about the settings. Threading: the trainer's thread only.
/// </summary>
/// <param name="window">The window's length in training time (steps and waits); by default <see cref="DefaultWindow"/>.</param>
internal sealed class AutotuneSession(SettingsControl control, InputPipeline pipeline, TimeSpan? window = null)
{
    /// <summary>Long enough for several steps and a steady queue; short enough to react within seconds.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _windowLength = window ?? DefaultWindow;

    private readonly Autotuner _tuner = new(control.Limits);
    private Totals _start;
    private int _steps;
    private TimeSpan _wait;
    private TimeSpan _stepTime;
    private double _readySum;
    private bool _firstOfPass;

    /// <summary>A training pass starts: the window starts again, and its first one is not judged.</summary>
    public void PassStarted()
    {
        _firstOfPass = true;
        StartWindow();
    }

    /// <summary>The finished batches waiting as the trainer asks for the next: taken before each wait.</summary>
    public int ReadyBatches => pipeline.QueueDepth("batch").Output;

    /// <summary>One step: how many batches were ready when it asked, how long it waited, how long the step took.</summary>
    public void StepDone(int readyBatches, TimeSpan wait, TimeSpan stepTime)
    {
        _steps++;
        _wait += wait;
        _stepTime += stepTime;
        _readySum += readyBatches;
        if (_wait + _stepTime < _windowLength || _steps < Autotuner.MinSteps)
        {
            return;
        }

        var now = Totals.Of(pipeline);
        var window = new AutotuneWindow(
            _steps, _wait, _stepTime, now.Read - _start.Read, now.Decode - _start.Decode, now.Augment - _start.Augment, _readySum / _steps);
        var judged = !_firstOfPass;
        _firstOfPass = false;
        StartWindow();
        if (judged && _tuner.Observe(window, control.Current, control.PinnedByUser) is { } decision)
        {
            control.Change(new Dictionary<SettingName, int> { [decision.Setting] = decision.Settings.Of(decision.Setting) }, ChangeSource.Autotune, decision.Reason);
        }
    }

    private void StartWindow()
    {
        (_steps, _wait, _stepTime, _readySum) = (0, TimeSpan.Zero, TimeSpan.Zero, 0);
        _start = Totals.Of(pipeline);
    }

    /// <summary>The workers' busy time in each step so far.</summary>
    private readonly record struct Totals(TimeSpan Read, TimeSpan Decode, TimeSpan Augment)
    {
        public static Totals Of(InputPipeline pipeline) => new(pipeline.ReadStage.Busy, pipeline.DecodeStage.Busy, pipeline.AugmentStage.Busy);
    }
}
