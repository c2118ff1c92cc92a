using System.CommandLine;
using System.CommandLine.Parsing;
using System.Numerics;

namespace CatsDogs.Pipeline.Cli;

/// <summary>Options whose invalid values are refused with the option's name and the range it accepts.</summary>
internal static class RangedOption
{
    public static Option<T> Create<T>(string name, string description, T defaultValue, T min, T max)
        where T : struct, INumber<T>
    {
        var option = new Option<T>(name)
        {
            Description = $"{description} [{min}..{max}]",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(result =>
        {
            // Written so that NaN, which compares false with everything, is refused too.
            if (Parsed<T>(result) is { } value && !(value >= min && value <= max))
            {
                result.AddError($"{name} must be between {min} and {max}; got {value}.");
            }
        });
        return option;
    }

    /// <summary>An optional number: absent means "not given", which some options treat differently from any value.</summary>
    public static Option<T?> CreateOptional<T>(string name, string description, T min, T max)
        where T : struct, INumber<T>
    {
        var option = new Option<T?>(name) { Description = $"{description} [{min}..{max}]" };
        option.Validators.Add(result =>
        {
            if (Parsed<T>(result) is { } value && !(value >= min && value <= max))
            {
                result.AddError($"{name} must be between {min} and {max}; got {value}.");
            }
        });
        return option;
    }

    /// <summary>The value, or null where the text is no number of that type: the parser reports that itself.</summary>
    private static T? Parsed<T>(OptionResult result)
        where T : struct, INumber<T>
    {
        if (result.Implicit)
        {
            return result.GetValueOrDefault<T?>();
        }

        return result.Tokens.Count == 1 && T.TryParse(result.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
