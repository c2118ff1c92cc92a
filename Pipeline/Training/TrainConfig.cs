using System.Text.Json;
using System.Text.Json.Serialization;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// A training run's resolved configuration, written to runs/&lt;name&gt;/config.json when it
/// starts; a resumed run reads it back so that it continues with exactly the same settings.
/// </summary>
internal sealed record TrainConfig
{
    public const string FileName = "config.json";

    public required string Data { get; init; }

    public required string SplitFile { get; init; }

    public int? ValidationCount { get; init; }

    public double ValidationFraction { get; init; }

    public string? Exclude { get; init; }

    public DeviceKind Device { get; init; }

    public int CpuThreads { get; init; }

    /// <summary>GPU float32 math (TF32 or strict FP32); a resumed run keeps it.</summary>
    public Precision Precision { get; init; }

    /// <summary>Same bits on every run on the GPU (--deterministic); a resumed run keeps it unless told otherwise.</summary>
    public bool Deterministic { get; init; }

    public required TrainOptions Train { get; init; }

    public required InputPipelineOptions Input { get; init; }

    public void Save(string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, TrainConfigJson.Default.TrainConfig));

    public static TrainConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), TrainConfigJson.Default.TrainConfig)
                ?? throw new InvalidDataException($"'{path}' holds no configuration.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a training configuration this version can read: {e.Message}");
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TrainConfig))]
internal sealed partial class TrainConfigJson : JsonSerializerContext;
