using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// How a settings file (a run's config.json, --config's file, tune's tuning.json) is read: strictly, and with messages
/// that name the file and the key at fault as the file has it, so that a mistake in one is a line a user can act on.
/// </summary>
internal static class SettingsFile
{
    /// <summary>A key given twice is refused: which of its values was meant is anyone's guess.</summary>
    private static readonly JsonDocumentOptions Reading = new() { AllowDuplicateProperties = false };

    /// <param name="source">The file as messages name it ("--config 'x.json'").</param>
    /// <param name="likeWhat">What a file of its kind looks like, for a file that is no JSON object ("as a run's config.json is").</param>
    public static JsonObject ReadObject(string path, string source, string likeWhat)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: Reading);
        }
        catch (JsonException e)
        {
            // The reader's message ends with where it stopped, 0-based; the line is said 1-based, as editors count.
            var reason = e.Message.Split(" LineNumber:")[0];
            throw new InvalidDataException($"{source} is not valid JSON: {reason}{(e.LineNumber is { } line ? $" (line {line + 1})" : "")}");
        }

        return document as JsonObject ?? throw new InvalidDataException($"{source} holds no settings: it must be a JSON object of them, {likeWhat}.");
    }

    /// <param name="prefix">The keys above <paramref name="node"/> in the file, to name a wrong key as the file has it.</param>
    public static T Deserialize<T>(JsonNode node, JsonTypeInfo<T> contract, string source, string prefix = "")
    {
        try
        {
            return node.Deserialize(contract) ?? throw new InvalidDataException($"{source} holds null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {JsonSettingError.Describe(e, node, contract, prefix)}");
        }
    }
}
