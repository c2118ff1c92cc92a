namespace CatsDogs.Pipeline.Tuning;

/// <summary>Who set the settings: settings.csv and the log say so for every change.</summary>
internal enum ChangeSource
{
    /// <summary>The settings the process started with (options, a tuning file, a saved run).</summary>
    Start,

    /// <summary>A user's <c>catsdogs retune</c>.</summary>
    User,

    /// <summary>The autotuner of <c>--autotune</c>.</summary>
    Autotune,
}
