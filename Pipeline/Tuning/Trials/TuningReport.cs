using System.Globalization;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>What tune prints at its end and keeps in summary.txt: every trial in a table, what was not tried, and the choice.</summary>
internal static class TuningReport
{
    /// <param name="header">Lines saying what was tuned: data, model, device.</param>
    public static string Render(IEnumerable<string> header, TuningSearch.Result result)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = header.Append("").ToList();
        lines.Add("  #  phase  batch  threads  prefetch  cache    images/s  input wait  cpu cores  memory MB  seconds");
        foreach (var trial in result.Trials)
        {
            var (settings, figures) = (trial.Settings, trial.Figures);
            var measured = figures is null
                ? $"{"-",10} {"-",11} {"-",10}"
                : string.Create(c, $"{figures.ImagesPerSecond,10:F1} {figures.InputWait,11:P2} {figures.CpuCores,10:F2}");
            var again = result.Trials.Any(earlier => earlier.Number < trial.Number && earlier.Settings == settings && earlier.Figures is not null);
            var note = trial.Outcome switch
            {
                TrialOutcome.OutOfMemory => "  out of device memory",
                TrialOutcome.CutShort => "  cut short by the budget",
                _ => (trial == result.Chosen ? "  <- chosen" : "") + (again ? "  (again: the slower counts)" : ""),
            };
            lines.Add(string.Create(c,
                $"{trial.Number,3}  {trial.Phase.ToString().ToLowerInvariant(),-5} {settings.BatchSize,6} {settings.DecodeThreads,8} {settings.Prefetch,9}  {settings.Cache.ToString().ToLowerInvariant(),-6} {measured} {trial.MemoryBytes / 1e6,10:F1} {trial.Seconds,8:F1}{note}"));
        }

        lines.Add(string.Create(c, $"(input wait: the steps' time spent waiting for a batch; cpu cores: CPU time over wall time; memory: batch buffers and a memory cache's estimate)"));
        lines.Add("");
        lines.AddRange(result.NotTried.Count == 0 ? ["not tried: nothing the search meant to try was left for want of time."] : result.NotTried.Select(line => $"not tried: {line}"));
        lines.AddRange(result.Reasons.Select(reason => $"chosen: {reason}"));
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }
}
