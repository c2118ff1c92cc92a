namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// One window seen through the workers' model. A worker takes an image through read, decode and warp, so each step's
/// threads must keep up with that step's work, and the workers together (as many as the largest count among the steps
/// that ran) with all of it. Work is counted in threads' worth at the trainer's pace: a step's busy time over the
/// trainer's step time, which is what the step would have to do were there no input wait at all, so a window in which
/// the trainer waited still says how much is needed.
/// </summary>
internal sealed class WorkerLoad
{
    private static readonly SettingName[] Steps = [SettingName.ReadThreads, SettingName.DecodeThreads, SettingName.AugmentThreads];

    private readonly AutotuneWindow _window;
    private readonly PipelineSettings _settings;
    private readonly TimeSpan _activeBusy;

    public WorkerLoad(AutotuneWindow window, PipelineSettings settings)
    {
        _window = window;
        _settings = settings;
        Active = [.. Steps.Where(s => window.Busy(s) > TimeSpan.Zero)];
        Workers = Active.Count == 0 ? 0 : Active.Max(settings.Of);
        TotalDemand = Active.Sum(Demand);
        _activeBusy = Active.Aggregate(TimeSpan.Zero, (sum, s) => sum + window.Busy(s));
    }

    /// <summary>The steps that did work: a pass over a complete cache only warps, and a step that did none says nothing of its threads.</summary>
    public IReadOnlyList<SettingName> Active { get; }

    /// <summary>Workers the running steps keep: the largest of their counts.</summary>
    public int Workers { get; }

    /// <summary>Threads' worth of work of all the running steps together: what the workers must cover.</summary>
    public double TotalDemand { get; }

    /// <summary>Threads' worth of work of one step at the trainer's pace.</summary>
    public double Demand(SettingName step) => _window.Busy(step) / _window.StepTime;

    /// <summary>The fraction of the window its threads were busy in the step.</summary>
    public double BusyFraction(SettingName step) => _window.Busy(step) / (_settings.Of(step) * _window.Elapsed);

    /// <summary>The fraction of the window the workers were busy, in whichever step.</summary>
    public double WorkersBusyFraction => _activeBusy / (Workers * _window.Elapsed);

    /// <summary>
    /// The fewest threads for <paramref name="step"/> that keep it, and the workers, at most <paramref name="targetBusy"/>
    /// busy at the trainer's pace, the other counts staying as they are.
    /// </summary>
    public int Needed(SettingName step, double targetBusy)
    {
        var own = Ceiling(Demand(step) / targetBusy);
        var workers = Ceiling(TotalDemand / targetBusy);
        return OthersMax(step) >= workers ? own : Math.Max(own, workers);
    }

    /// <summary>How busy the step or the workers, whichever more, would be at the trainer's pace with <paramref name="threads"/> in <paramref name="step"/>.</summary>
    public double PredictedBusy(SettingName step, int threads) =>
        Math.Max(Demand(step) / threads, TotalDemand / Math.Max(threads, OthersMax(step)));

    /// <summary>The largest count among the other running steps: the workers there would be without this one.</summary>
    private int OthersMax(SettingName step) => Active.Where(s => s != step).Select(_settings.Of).DefaultIfEmpty(0).Max();

    private static int Ceiling(double threads) => Math.Max(SettingLimits.MinThreads, (int)Math.Ceiling(threads));
}
