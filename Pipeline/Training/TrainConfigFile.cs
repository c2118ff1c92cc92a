using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Runs;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// runs/&lt;name&gt;/config.json: a run's settings (<see cref="TrainConfig"/>) with its <see cref="Provenance"/>
/// beside them under "provenance", which a reader of the settings sets aside. `train --config` reads the same
/// shape, so a run's config.json starts another run with its settings.
/// </summary>
internal static class TrainConfigFile
{
    public const string FileName = "config.json";

    private const string ProvenanceKey = "provenance";

    /// <summary>A key given twice is refused: which of its values was meant is anyone's guess.</summary>
    private static readonly JsonDocumentOptions Reading = new() { AllowDuplicateProperties = false };

    public static void Save(string path, TrainConfig settings, Provenance provenance)
    {
        var file = JsonSerializer.SerializeToNode(settings, TrainConfigJson.Default.TrainConfig)!.AsObject();
        file[ProvenanceKey] = JsonSerializer.SerializeToNode(provenance, TrainConfigJson.Default.Provenance);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            file.WriteTo(writer);
        });
    }

    /// <summary>A saved run's settings, and its provenance (null for a run saved before provenance was recorded).</summary>
    public static (TrainConfig Settings, Provenance? Provenance) Load(string path)
    {
        var source = $"'{path}'";
        var file = Read(path, source);
        var provenance = file[ProvenanceKey];
        file.Remove(ProvenanceKey);
        return (Deserialize(file, TrainConfigJson.Default.TrainConfig, source),
            provenance is null ? null : Deserialize(provenance, TrainConfigJson.Default.Provenance, source, $"{ProvenanceKey}."));
    }

    /// <summary>
    /// The settings in the file at <paramref name="path"/> (--config) over <paramref name="defaults"/>: each
    /// setting the file gives replaces the default, key by key within a group, so that a file may give only a few.
    /// </summary>
    public static TrainConfig LoadOver(TrainConfig defaults, string path)
    {
        var source = $"--config '{path}'";
        var file = Read(path, source);
        file.Remove(ProvenanceKey);
        var settings = JsonSerializer.SerializeToNode(defaults, TrainConfigJson.Default.TrainConfig)!.AsObject();
        Overlay(settings, file);
        return Deserialize(settings, TrainConfigJson.Default.TrainConfig, source);
    }

    private static JsonObject Read(string path, string source)
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

        if (document is not JsonObject file)
        {
            throw new InvalidDataException($"{source} holds no settings: it must be a JSON object of them, as a run's {FileName} is.");
        }

        LegacyTrainConfig.Upgrade(file);
        return file;
    }

    private static void Overlay(JsonObject settings, JsonObject file)
    {
        foreach (var (key, value) in file)
        {
            if (settings[key] is JsonObject group && value is JsonObject given)
            {
                Overlay(group, given);
            }
            else
            {
                settings[key] = value?.DeepClone();
            }
        }
    }

    /// <param name="prefix">The keys above <paramref name="node"/> in the file, to name a wrong key as the file has it.</param>
    private static T Deserialize<T>(JsonNode node, JsonTypeInfo<T> contract, string source, string prefix = "")
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
