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
            CustomParser = result => Parse(result, name, min, max) ?? defaultValue,
        };
        return option;
    }

    /// <summary>An optional number: absent means "not given", which some options treat differently from any value.</summary>
    public static Option<T?> CreateOptional<T>(string name, string description, T min, T max)
        where T : struct, INumber<T>
    {
        return new Option<T?>(name)
        {
            Description = $"{description} [{min}..{max}]",
            CustomParser = result => Parse(result, name, min, max),
        };
    }

    /// <summary>
    /// The option's number, or null with an error that says what it takes ("--epochs takes a whole
    /// number"), not the .NET type the parser would name, or the range it must be in.
    /// </summary>
    private static T? Parse<T>(ArgumentResult result, string name, T min, T max)
        where T : struct, INumber<T>
    {
        if (result.Tokens.Count != 1)
        {
            return null;
        }

        var text = result.Tokens[0].Value;
        if (!T.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            var fractional = T.TryParse("0.5", System.Globalization.CultureInfo.InvariantCulture, out _);
            result.AddError($"{name} takes {(fractional ? "a number" : "a whole number")}; got '{text}'.");
            return null;
        }

        // Written so that NaN, which compares false with everything, is refused too.
        if (!(value >= min && value <= max))
        {
            result.AddError($"{name} must be between {min} and {max}; got {value}.");
            return null;
        }

        return value;
    }
}
