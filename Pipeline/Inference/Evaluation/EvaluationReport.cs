using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>
/// What evaluate measures on labeled images, and evaluation.json, its record beside the run's other
/// results (whose key names the model card reads). Images that could not be decoded are left out:
/// the network never saw them.
/// </summary>
internal sealed record EvaluationReport(ConfusionMatrix Confusion, double LogLoss, double? RocAuc, TestTimeAugmentation Tta, string Checkpoint, string Data)
{
    public const string FileName = "evaluation.json";

    /// <summary>The names in evaluation.json that other readers (the model card) look up.</summary>
    public static class Keys
    {
        public const string Images = "images";
        public const string Accuracy = "accuracy";
        public const string LogLoss = "logLoss";
        public const string RocAuc = "rocAuc";
        public const string Tta = "tta";
        public const string Checkpoint = "checkpoint";
        public const string Data = "data";
    }

    public static EvaluationReport From(
        IReadOnlyList<ImageEntry> entries, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> delivered, TestTimeAugmentation tta, string checkpoint, string data)
    {
        var scored = Enumerable.Range(0, entries.Count).Where(i => delivered[i] && entries[i].Label != ImageLabel.Unlabeled).ToList();
        var truth = scored.Select(i => entries[i].Label).ToList();
        var probabilities = scored.Select(i => dogProbability[i]).ToList();
        return new EvaluationReport(
            ConfusionMatrix.From(truth, probabilities), Evaluation.LogLoss.Of(truth, probabilities), Evaluation.RocAuc.Of(truth, probabilities), tta, checkpoint, data);
    }

    public int Images => Confusion.Total;

    public double Accuracy => Confusion.Accuracy;

    /// <summary>Writes evaluation.json whole or not at all, so that a reader never finds half a file.</summary>
    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        ToJson().WriteTo(writer);
    });

    public JsonObject ToJson() => new()
    {
        [Keys.Images] = Images,
        [Keys.Accuracy] = Number(Accuracy),
        [Keys.LogLoss] = Number(LogLoss),
        [Keys.RocAuc] = RocAuc is { } auc ? Number(auc) : null,
        ["perClass"] = new JsonObject { ["cat"] = Scores(Confusion.CatScores), ["dog"] = Scores(Confusion.DogScores) },
        // Rows are the true class, columns the predicted one.
        ["confusion"] = new JsonObject
        {
            ["cat"] = new JsonObject { ["cat"] = Confusion.CatAsCat, ["dog"] = Confusion.CatAsDog },
            ["dog"] = new JsonObject { ["cat"] = Confusion.DogAsCat, ["dog"] = Confusion.DogAsDog },
        },
        [Keys.Tta] = CommandLineSpelling.Of(Tta),
        [Keys.Checkpoint] = Checkpoint,
        [Keys.Data] = Data,
    };

    /// <summary>The console's account: the scores, the matrix, and each class's precision, recall and F1.</summary>
    public string Render()
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(Environment.NewLine,
            string.Create(c, $"images: {Images}, accuracy {Accuracy:F4}, log loss {LogLoss:F4} (P(dog) clipped to [1e-15, 1 - 1e-15]), ROC AUC {Format(RocAuc)}{(Tta == TestTimeAugmentation.None ? "" : $", each image {Tta.Describe()} (--tta {CommandLineSpelling.Of(Tta)})")}"),
            Confusion.Render(),
            $"cat: {Format(Confusion.CatScores)}",
            $"dog: {Format(Confusion.DogScores)}");
    }

    private static JsonObject Scores(ClassScores scores) => new()
    {
        ["precision"] = scores.Precision is { } p ? Number(p) : null,
        ["recall"] = scores.Recall is { } r ? Number(r) : null,
        ["f1"] = scores.F1 is { } f ? Number(f) : null,
    };

    /// <summary>JSON has no NaN (a network that diverged gives NaN probabilities): such a score is null.</summary>
    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string Format(ClassScores scores) =>
        $"precision {Format(scores.Precision)}, recall {Format(scores.Recall)}, F1 {Format(scores.F1)}";

    private static string Format(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";
}
