using System.Text.Json.Serialization;

namespace CatsDogs.Pipeline.Data;

/// <summary>What a split file holds: relative paths, sorted, so the file diffs well.</summary>
internal sealed record SplitFileContent(int Version, int Seed, List<string> Train, List<string> Validation);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SplitFileContent))]
internal sealed partial class SplitFileJson : JsonSerializerContext;
