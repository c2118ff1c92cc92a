using System.Globalization;
using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Inference;

/// <summary>
/// Kaggle's submission format for Dogs vs. Cats: a header "id,label", then one row per image
/// with P(dog), ordered by id (numerically when ids are numbers). Probabilities are clipped to
/// [0.005, 0.995] because log loss punishes a confident mistake without bound. An image that
/// could not be read still gets its row, with 0.5: Kaggle refuses a submission that lacks an id.
/// </summary>
internal static class Submission
{
    public const float MinProbability = 0.005f;
    public const float MaxProbability = 0.995f;

    /// <summary>What an unread image's row says: no guess costs less log loss when nothing is known.</summary>
    public const float Unknown = 0.5f;

    /// <summary>The number an id is (Kaggle's test images are 1.jpg to 12500.jpg), or null for an id of anything but digits, which Kaggle refuses.</summary>
    public static long? NumericId(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static void Write(TextWriter writer, IReadOnlyList<ImageEntry> entries, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> delivered)
    {
        writer.WriteLine("id,label");
        var rows = Enumerable.Range(0, entries.Count)
            .OrderBy(i => NumericId(entries[i].Id) ?? long.MaxValue)
            .ThenBy(i => entries[i].Id, StringComparer.Ordinal);
        foreach (var i in rows)
        {
            var p = delivered[i] ? Math.Clamp(dogProbability[i], MinProbability, MaxProbability) : Unknown;
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{entries[i].Id},{p:0.######}"));
        }
    }
}
