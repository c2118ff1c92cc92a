using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using CatsDogs.Pipeline.Cli;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Which key of a settings file is wrong, and what it takes: read from the path System.Text.Json gives the error
/// and the settings' JSON contract, as its own messages name .NET types ("could not be converted to System.Int32").
/// </summary>
internal static partial class JsonSettingError
{
    /// <param name="document">What was being read, to quote the value at fault.</param>
    /// <param name="prefix">The keys above <paramref name="document"/> in its file ("provenance."), to name the key as the file has it.</param>
    public static string Describe(JsonException error, JsonNode document, JsonTypeInfo contract, string prefix = "")
    {
        var steps = PathStep().Matches(error.Path ?? "").Select(Step.Of).ToList();
        var key = prefix + string.Concat(steps.Select((step, i) => step.Name is null ? $"[{step.Index}]" : i == 0 ? step.Name : $".{step.Name}"));
        if (steps.Count == 0 || steps[^1].Name is null)
        {
            // Not one key but a whole object, e.g. one that lacks a member: System.Text.Json's message says which.
            return key.Length == 0 ? error.Message : $"{key.TrimEnd('.')}: {error.Message}";
        }

        var (owner, property) = Find(contract, steps);
        if (property is null)
        {
            return $"{key} is not a setting; the settings there are {string.Join(", ", owner.Properties.Select(known => known.Name))}.";
        }

        return $"{key} must be {Expected(property)}; it is {Quoted(document, steps)}.";
    }

    /// <summary>The property the last step names and the type it belongs to; a null property where it names none.</summary>
    private static (JsonTypeInfo Owner, JsonPropertyInfo? Property) Find(JsonTypeInfo contract, List<Step> steps)
    {
        var owner = contract;
        JsonPropertyInfo? property = null;
        foreach (var step in steps)
        {
            if (property is not null)
            {
                owner = owner.Options.GetTypeInfo(property.PropertyType);
            }

            if (step.Name is null)
            {
                // An index into a list: the element's contract.
                owner = owner.Options.GetTypeInfo(owner.ElementType ?? typeof(object));
                property = null;
                continue;
            }

            property = owner.Properties.FirstOrDefault(candidate => candidate.Name == step.Name);
            if (property is null)
            {
                return (owner, null);
            }
        }

        return (owner, property);
    }

    private static string Expected(JsonPropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var what = type switch
        {
            _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type).Select(CommandLineSpelling.Instance.ConvertName))}",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(float) || type == typeof(double) => "a number",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(DateTime) => "a UTC time in ISO 8601",
            _ when property.Options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Enumerable => "a list",
            _ => "an object",
        };
        return property.IsSetNullable ? $"{what} or null" : what;
    }

    private static string Quoted(JsonNode document, List<Step> steps)
    {
        JsonNode? node = document;
        foreach (var step in steps)
        {
            node = step.Name is null ? node?.AsArray()[step.Index] : node?[step.Name];
        }

        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 60 ? text : $"{text[..57]}...";
    }

    /// <summary>A step of a JSON path: ".name", "['name']" or "[index]".</summary>
    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<name>(?:[^']|'')*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();

    /// <summary>A key, or (with a null name) an index into a list.</summary>
    private readonly record struct Step(string? Name, int Index)
    {
        public static Step Of(Match match) => match.Groups["name"].Success
            ? new Step(match.Groups["name"].Value, 0)
            : new Step(null, int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
