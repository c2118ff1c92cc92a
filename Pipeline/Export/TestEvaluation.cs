using System.Text.Json;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Pipeline.Training;
using Keys = CatsDogs.Pipeline.Inference.Evaluation.EvaluationReport.Keys;

namespace CatsDogs.Pipeline.Export;

/// <summary>
/// The test metrics `catsdogs evaluate` leaves in a run folder (evaluation.json), as far as a model card needs them:
/// accuracy, log loss, ROC AUC (each null where it is not defined, such as ROC AUC on one class), how many images,
/// and, where the file says, which checkpoint and data it measured and over which test-time views it averaged.
/// </summary>
internal sealed record TestEvaluation(double? Accuracy, double? LogLoss, double? RocAuc, long Images, string? Checkpoint, string? Data, TestTimeAugmentation Tta)
{
    public const string FileName = EvaluationReport.FileName;

    /// <summary>The evaluation in <paramref name="runFolder"/>; null when there is none; an <see cref="InvalidDataException"/> when it cannot be read.</summary>
    public static TestEvaluation? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return new TestEvaluation(Score(root, Keys.Accuracy), Score(root, Keys.LogLoss), Score(root, Keys.RocAuc), root.GetProperty(Keys.Images).GetInt64(),
                Text(root, Keys.Checkpoint), Text(root, Keys.Data), Augmentation(root));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' does not hold {Keys.Accuracy}, {Keys.LogLoss}, {Keys.RocAuc} and {Keys.Images} as numbers: {e.Message}");
        }
    }

    private static double? Score(JsonElement root, string key)
    {
        var value = root.GetProperty(key);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
    }

    /// <summary>The views averaged: evaluate spells them as --tta does; files from before flipshift said true for flip.</summary>
    private static TestTimeAugmentation Augmentation(JsonElement root)
    {
        if (!root.TryGetProperty(Keys.Tta, out var tta) || tta.ValueKind is JsonValueKind.False or JsonValueKind.Null)
        {
            return TestTimeAugmentation.None;
        }

        // Read as the settings files read --tta's spelling: any case, no numbers.
        return tta.ValueKind == JsonValueKind.True ? TestTimeAugmentation.Flip : tta.Deserialize(TrainConfigJson.Default.TestTimeAugmentation);
    }

    private static string? Text(JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
