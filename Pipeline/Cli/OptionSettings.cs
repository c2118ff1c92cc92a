using System.CommandLine;
using System.Globalization;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// A verb's options that are settings, each with where its value lives in <typeparamref name="TSettings"/>: the
/// one place where an option becomes a setting, whether the settings start from the options' defaults, from a
/// file or from a saved run, and where a setting becomes an option again, so that a value that did not come from
/// the command line can still be checked as the option checks it.
/// </summary>
internal sealed class OptionSettings<TSettings>
{
    private readonly List<Setting> _settings = [];

    /// <summary>The options, in the order they were added (the order the help lists them).</summary>
    public IEnumerable<Option> Options => _settings.Select(setting => setting.Option);

    /// <remarks>
    /// The value is read with the null-forgiving operator: a setting's option has a default, or a nullable type whose
    /// null means "not given" to the setting too.
    /// </remarks>
    public OptionSettings<TSettings> Add<T>(Option<T> option, Func<TSettings, T> get, Func<TSettings, T, TSettings> set)
    {
        _settings.Add(new Setting(option, (settings, result) => set(settings, result.GetValue(option)!), settings => TextOf(get(settings))));
        return this;
    }

    /// <summary>An option naming an enum member, whose default applies where it is absent.</summary>
    public OptionSettings<TSettings> AddChoice<T>(EnumChoiceOption<T> option, Func<TSettings, T> get, Func<TSettings, T, TSettings> set)
        where T : struct, Enum
    {
        _settings.Add(new Setting(option, (settings, result) => set(settings, option.ValueIn(result)), settings => CommandLineSpelling.Of(get(settings))));
        return this;
    }

    /// <summary>Another group's settings, which live in a part (<paramref name="get"/>) of these.</summary>
    public OptionSettings<TSettings> AddPart<TPart>(OptionSettings<TPart> part, Func<TSettings, TPart> get, Func<TSettings, TPart, TSettings> set)
    {
        foreach (var setting in part._settings)
        {
            _settings.Add(new Setting(
                setting.Option, (settings, result) => set(settings, setting.Apply(get(settings), result)), settings => setting.Text(get(settings))));
        }

        return this;
    }

    /// <summary><paramref name="settings"/> with the options <paramref name="which"/> picks applied over them, in the order they were added.</summary>
    public TSettings Apply(TSettings settings, ParseResult result, Func<Option, bool> which) =>
        _settings.Where(setting => which(setting.Option)).Aggregate(settings, (current, setting) => setting.Apply(current, result));

    /// <summary>
    /// The command line that gives the values <paramref name="settings"/> hold for the options <paramref name="which"/> picks,
    /// each as --option=value, so that a value such as -1 is not taken for an option of its own.
    /// </summary>
    public IEnumerable<string> Arguments(TSettings settings, Func<Option, bool> which) =>
        _settings.Where(setting => which(setting.Option)).Select(setting => setting.Text(settings) is { } text ? $"{setting.Option.Name}={text}" : null).OfType<string>();

    /// <summary>A value as the command line writes it; null for an absent one.</summary>
    private static string? TextOf<T>(T value) => value switch
    {
        null => null,
        FileSystemInfo path => path.FullName,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <param name="Text">The command line's text for the setting's value; null where the option would be absent.</param>
    private sealed record Setting(Option Option, Func<TSettings, ParseResult, TSettings> Apply, Func<TSettings, string?> Text);
}
