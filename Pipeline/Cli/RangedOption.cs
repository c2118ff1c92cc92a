using System.CommandLine;
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
            var value = result.GetValueOrDefault<T>();
            if (value < min || value > max)
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
            if (result.GetValueOrDefault<T?>() is { } value && (value < min || value > max))
            {
                result.AddError($"{name} must be between {min} and {max}; got {value}.");
            }
        });
        return option;
    }
}
