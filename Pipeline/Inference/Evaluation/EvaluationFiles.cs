using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>Everything evaluate leaves in its folder: evaluation.json, and in figures/ the confusion matrix and the most confident mistakes.</summary>
internal static class EvaluationFiles
{
    /// <returns>The files written, for the console to name.</returns>
    public static IReadOnlyList<string> Write(
        string folder, EvaluationReport report, DatasetIndex index, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> delivered)
    {
        var json = Path.Combine(folder, EvaluationReport.FileName);
        report.Save(json);
        var figures = Directory.CreateDirectory(Path.Combine(folder, "figures")).FullName;
        var confusion = Path.Combine(figures, ConfusionFigure.FileName);
        ConfusionFigure.Write(report.Confusion, confusion);
        var mistakes = Path.Combine(figures, MistakeSheet.FileName);
        return MistakeSheet.Write(index, dogProbability, delivered, mistakes) > 0 ? [json, confusion, mistakes] : [json, confusion];
    }
}
