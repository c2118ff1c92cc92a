using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>Options that take one of a few names: matched in any case, refused with the names they accept.</summary>
internal static class ChoiceOption
{
    /// <summary>One of an enum's members, each named as <see cref="CommandLineSpelling"/> spells it (OneCycle is "onecycle"); read it with <see cref="EnumChoiceOption{T}.ValueIn"/>.</summary>
    public static EnumChoiceOption<T> Create<T>(string name, string description, T defaultValue)
        where T : struct, Enum
    {
        var option = new EnumChoiceOption<T>(name, defaultValue) { Description = $"{description} [default: {CommandLineSpelling.Of(defaultValue)}]" };
        return Configure(option, EnumChoices<T>());
    }

    /// <summary>One of <paramref name="names"/>, given back as spelled there.</summary>
    public static Option<string> Create(string name, string description, string defaultValue, IEnumerable<string> names) =>
        Configure(new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, names.Select(choice => (choice, choice)));

    /// <summary>One of an enum's members, or null where the option is not given (its absence means something of its own).</summary>
    public static Option<T?> CreateOptional<T>(string name, string description)
        where T : struct, Enum =>
        Configure(new Option<T?>(name) { Description = description }, EnumChoices<T>());

    private static IEnumerable<(string Name, T? Value)> EnumChoices<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().Select(value => (CommandLineSpelling.Of(value), (T?)value));

    private static TOption Configure<TOption, T>(TOption option, IEnumerable<(string Name, T Value)> choices)
        where TOption : Option<T>
    {
        var byName = choices.ToDictionary(choice => choice.Name, choice => choice.Value, StringComparer.OrdinalIgnoreCase);
        option.HelpName = string.Join('|', byName.Keys);
        option.CustomParser = result =>
        {
            // No token: the parser reports the missing value itself. After an error the value is never read.
            if (result.Tokens.Count != 1)
            {
                return default!;
            }

            var text = result.Tokens[0].Value;
            if (byName.TryGetValue(text, out var value))
            {
                return value;
            }

            result.AddError($"{option.Name} must be one of {string.Join(", ", byName.Keys)}; got '{text}'.");
            return default!;
        };
        option.CompletionSources.Add([.. byName.Keys]);
        return option;
    }
}
