using System.Globalization;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Tuning;

/// <summary>
/// The one way a running process's input settings change, whoever asks (a user's retune, the
/// autotuner): it checks the values against <see cref="SettingLimits"/>, puts them in force in the
/// pipeline, writes a log line and a settings.csv row naming the time and the source, and exports
/// every setting as the gauge <c>catsdogs.pipeline.setting</c>. A setting a user named is the user's
/// from then on: the autotuner's changes leave it alone. Thread-safe: one change at a time.
/// </summary>
internal sealed class SettingsControl : IDisposable
{
    private readonly InputPipeline _pipeline;
    private readonly SettingsCsv _csv;
    private readonly TextWriter _log;
    private readonly TimeProvider _clock;
    private readonly Lock _changeLock = new();
    private readonly HashSet<SettingName> _pinned = [];
    private readonly IDisposable[] _tracked;

    public SettingsControl(InputPipeline pipeline, SettingsCsv csv, TextWriter log, PipelineMetrics? metrics, TimeProvider? clock = null)
    {
        (_pipeline, _csv, _log, _clock) = (pipeline, csv, log, clock ?? TimeProvider.System);
        Limits = SettingLimits.For(pipeline);
        _tracked = metrics is null ? [] : [.. SettingNames.All.Select(name => metrics.TrackSetting(name.Label(), () => ValueInForce(name)))];
        _csv.Append(_clock.GetUtcNow(), ChangeSource.Start, Snapshot(), "");
    }

    public SettingLimits Limits { get; }

    public PipelineSettings Current => _pipeline.Settings;

    /// <summary>The settings a user has named in a retune, which the autotuner no longer moves.</summary>
    public IReadOnlySet<SettingName> PinnedByUser
    {
        get
        {
            lock (_changeLock)
            {
                return _pinned.ToHashSet();
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="change"/> in force and returns the settings now in force (an empty change only asks for them). A value out of range refuses the
    /// whole change (<see cref="SettingRefusedException"/>) and changes nothing. The autotuner's values for settings a
    /// user pinned are dropped.
    /// </summary>
    public PipelineSettings Change(IReadOnlyDictionary<SettingName, int> change, ChangeSource source, string reason)
    {
        lock (_changeLock)
        {
            var refusals = change.Select(pair => Limits.Refusal(pair.Key, pair.Value)).OfType<string>().ToList();
            if (refusals.Count > 0)
            {
                throw new SettingRefusedException(string.Join(" ", refusals));
            }

            var before = _pipeline.Settings;
            if (change.Count == 0)
            {
                return before;
            }

            var requested = change
                .Where(pair => source != ChangeSource.Autotune || !_pinned.Contains(pair.Key))
                .Aggregate(before, (settings, pair) => settings.With(pair.Key, pair.Value));
            var inForce = _pipeline.Retune(requested);
            if (source == ChangeSource.User)
            {
                _pinned.UnionWith(change.Keys);
            }

            var moved = SettingNames.Live.Where(name => before.Of(name) != inForce.Of(name))
                .Select(name => string.Create(CultureInfo.InvariantCulture, $"{name.Label()} {before.Of(name)} -> {inForce.Of(name)}"))
                .ToList();
            var now = _clock.GetUtcNow();
            var what = moved.Count > 0 ? string.Join(", ", moved) : "no change";
            _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} settings by {source.ToString().ToLowerInvariant()}: {what}{(reason.Length > 0 ? $" ({reason})" : "")}; in force: {Describe(inForce)}"));
            _csv.Append(now, source, Snapshot(), reason);
            return inForce;
        }
    }

    public static string Describe(PipelineSettings settings) => string.Join(", ", SettingNames.Live.Select(name => $"{name.Label()} {settings.Of(name)}"));

    private Dictionary<SettingName, long> Snapshot() => SettingNames.All.ToDictionary(name => name, ValueInForce);

    private long ValueInForce(SettingName name) => name switch
    {
        SettingName.BatchSize => _pipeline.Options.BatchSize,
        SettingName.Cache => CacheCode(_pipeline.CacheInForce),
        _ => _pipeline.Settings.Of(name),
    };

    /// <summary>The gauge's number for a cache mode: 0 off, 1 memory, 2 disk, 3 auto (not decided yet).</summary>
    private static long CacheCode(CacheMode mode) => mode switch
    {
        CacheMode.Off => 0,
        CacheMode.Memory => 1,
        CacheMode.Disk => 2,
        _ => 3,
    };

    public void Dispose()
    {
        foreach (var tracked in _tracked)
        {
            tracked.Dispose();
        }
    }
}
