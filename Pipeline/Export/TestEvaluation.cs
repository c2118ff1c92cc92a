using System.Text.Json;

namespace CatsDogs.Pipeline.Export;

/// <summary>
/// The test metrics `catsdogs evaluate` leaves in a run folder (evaluation.json), as far as a model card needs
/// them: accuracy, log loss, ROC AUC and how many images they were measured on.
/// </summary>
internal sealed record TestEvaluation(double Accuracy, double LogLoss, double RocAuc, long Images)
{
    public const string FileName = "evaluation.json";

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
            return new TestEvaluation(root.GetProperty("accuracy").GetDouble(), root.GetProperty("logLoss").GetDouble(),
                root.GetProperty("rocAuc").GetDouble(), root.GetProperty("images").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}' does not hold accuracy, logLoss, rocAuc and images as numbers: {e.Message}");
        }
    }
}
