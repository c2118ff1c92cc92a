using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>Options that take one of a few names: matched in any case, refused with the names they accept.</summary>
internal static class ChoiceOption
{
    /// <summary>One of an enum's members, each named in lower case (OneCycle is "onecycle").</summary>
    public static Option<T> Create<T>(string name, string description, T defaultValue)
        where T : struct, Enum =>
        Create(name, description, defaultValue, Enum.GetValues<T>().Select(value => (value.ToString().ToLowerInvariant(), value)));

    /// <summary>One of <paramref name="names"/>, given back as spelled there.</summary>
    public static Option<string> Create(string name, string description, string defaultValue, IEnumerable<string> names) =>
        Create(name, description, defaultValue, names.Select(choice => (choice, choice)));

    /// <summary>One of an enum's members, or null where the option is not given (its absence means something of its own).</summary>
    public static Option<T?> CreateOptional<T>(string name, string description)
        where T : struct, Enum =>
        Create<T?>(name, description, null, Enum.GetValues<T>().Select(value => (value.ToString().ToLowerInvariant(), (T?)value)));

    private static Option<T> Create<T>(string name, string description, T defaultValue, IEnumerable<(string Name, T Value)> choices)
    {
        var byName = choices.ToDictionary(choice => choice.Name, choice => choice.Value, StringComparer.OrdinalIgnoreCase);
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = string.Join('|', byName.Keys),
            CustomParser = result =>
            {
                // No token: the parser reports the missing value itself.
                if (result.Tokens.Count != 1)
                {
                    return defaultValue;
                }

                var text = result.Tokens[0].Value;
                if (byName.TryGetValue(text, out var value))
                {
                    return value;
                }

                result.AddError($"{name} must be one of {string.Join(", ", byName.Keys)}; got '{text}'.");
                return defaultValue;
            },
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        option.CompletionSources.Add([.. byName.Keys]);
        return option;
    }
}
