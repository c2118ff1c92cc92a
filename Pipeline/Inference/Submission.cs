using System.Globalization;
using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference;

/// <summary>
/// Kaggle's submission format for Dogs vs. Cats: a header "id,label", then one row per image
/// with P(dog), ordered by id (numerically when ids are numbers). Probabilities are clipped to
/// [0.005, 0.995] because log loss punishes a confident mistake without bound.
/// </summary>
internal static class Submission
{
    public const float MinProbability = 0.005f;
    public const float MaxProbability = 0.995f;

    public static void Write(TextWriter writer, IReadOnlyList<ImageEntry> entries, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> include)
    {
        writer.WriteLine("id,label");
        var rows = Enumerable.Range(0, entries.Count)
            .Where(i => include[i])
            .OrderBy(i => long.TryParse(entries[i].Id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue)
            .ThenBy(i => entries[i].Id, StringComparer.Ordinal);
        foreach (var i in rows)
        {
            var p = Math.Clamp(dogProbability[i], MinProbability, MaxProbability);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entries[i].Id},{p:0.######}"));
        }
    }
}
