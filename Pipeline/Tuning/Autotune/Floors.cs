namespace CatsDogs.Pipeline.Tuning.Autotune;

/// <summary>
/// What the autotuner learned was too low: for each setting, the last value a failed probe or a rise showed could not
/// keep input wait at 1%. A floor bars probes to that value or below for a while; when the value proves too low again
/// after its bar ran out, the next bar is twice as long. So a setting tried at its edge settles instead of going up and
/// down, and is still retried now and then, since conditions drift. A floor belongs to the trainer's pace it was
/// learned at: once the trainer slows by more than a fifth it takes less input, and the floors go, backoff and all.
/// </summary>
internal sealed class Floors
{
    /// <summary>Windows a first floor holds: about 20 seconds of 2-second windows.</summary>
    public const int FirstBackoff = 10;

    /// <summary>The most windows a floor holds (about 8 minutes), so a setting is still tried now and then in a long run.</summary>
    public const int MaxBackoff = 256;

    /// <summary>Pace, relative to the one a floor was learned at, below which the floor no longer holds.</summary>
    private const double SlowerPace = 0.8;

    private readonly Dictionary<SettingName, Floor> _floors = [];

    /// <summary>Records that <paramref name="tooLow"/> did not do for <paramref name="setting"/>; returns how many windows the floor holds.</summary>
    public int Learn(SettingName setting, int tooLow, long window, double pace)
    {
        var backoff = _floors.TryGetValue(setting, out var earlier)
            ? window >= earlier.Until ? Math.Min(2 * earlier.Backoff, MaxBackoff) : earlier.Backoff
            : FirstBackoff;
        _floors[setting] = new Floor(tooLow, window + backoff, backoff, pace);
        return backoff;
    }

    /// <summary>The value <paramref name="setting"/> must stay above in <paramref name="window"/>, or null where nothing holds it.</summary>
    public int? Holding(SettingName setting, long window) =>
        _floors.TryGetValue(setting, out var floor) && window < floor.Until ? floor.Value : null;

    /// <summary>Forgets the floors learned when the trainer was much faster than <paramref name="pace"/>, their backoff too.</summary>
    public void ForgetFasterThan(double pace)
    {
        foreach (var setting in _floors.Where(f => pace < SlowerPace * f.Value.Pace).Select(f => f.Key).ToList())
        {
            _floors.Remove(setting);
        }
    }

    private sealed record Floor(int Value, long Until, int Backoff, double Pace);
}
