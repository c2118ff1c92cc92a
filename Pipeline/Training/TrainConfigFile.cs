using System.Text.Json;
using System.Text.Json.Nodes;
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
        return (SettingsFile.Deserialize(file, TrainConfigJson.Default.TrainConfig, source),
            provenance is null ? null : SettingsFile.Deserialize(provenance, TrainConfigJson.Default.Provenance, source, $"{ProvenanceKey}."));
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
        return SettingsFile.Deserialize(settings, TrainConfigJson.Default.TrainConfig, source);
    }

    private static JsonObject Read(string path, string source)
    {
        var file = SettingsFile.ReadObject(path, source, $"as a run's {FileName} is");
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
}
