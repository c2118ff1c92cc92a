using System.Text.Json;
using System.Text.Json.Serialization;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// How an enum member is spelled on the command line: in lower case, OneCycle as "onecycle". Saved settings spell
/// it the same way (<see cref="CommandLineSpelledEnum{T}"/>), so that a config.json reads as the options that made it.
/// </summary>
internal sealed class CommandLineSpelling : JsonNamingPolicy
{
    public static CommandLineSpelling Instance { get; } = new();

    public static string Of<T>(T value)
        where T : struct, Enum =>
        Instance.ConvertName(value.ToString());

    public override string ConvertName(string name) => name.ToLowerInvariant();
}

/// <summary>
/// An enum in JSON as the command line spells it. Reading takes any case, so that settings saved before this
/// spelling ("Cosine", "OneCycle") still load; a number is refused, as no option takes one.
/// </summary>
internal sealed class CommandLineSpelledEnum<T>() : JsonStringEnumConverter<T>(CommandLineSpelling.Instance, allowIntegerValues: false)
    where T : struct, Enum;
