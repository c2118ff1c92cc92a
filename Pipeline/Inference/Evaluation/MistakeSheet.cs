using System.Globalization;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Plots;

namespace CatsDogs.Pipeline.Inference.Evaluation;

/// <summary>
/// figures/most-confident-mistakes.png: the images the network got wrong with the most confidence,
/// each captioned with its file and P(dog), so that a user can see what the model gets wrong.
/// </summary>
internal static class MistakeSheet
{
    public const string FileName = "most-confident-mistakes.png";

    public const int Size = 16;

    /// <summary>
    /// The decoded, labeled images on the wrong side of 0.5 (a cat at P(dog) ≥ 0.5, a dog below it),
    /// the most confident mistake first, at most <see cref="Size"/>; ties in path order.
    /// </summary>
    public static IReadOnlyList<int> Pick(IReadOnlyList<ImageEntry> entries, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> delivered) =>
        Enumerable.Range(0, entries.Count)
            .Where(i => delivered[i] && WrongConfidence(entries[i].Label, dogProbability[i]) is not null)
            .OrderByDescending(i => WrongConfidence(entries[i].Label, dogProbability[i]))
            .ThenBy(i => entries[i].RelativePath, StringComparer.Ordinal)
            .Take(Size)
            .ToList();

    /// <summary>
    /// Writes the sheet of <see cref="Pick"/>'s images and returns how many it shows. With no mistake there
    /// is no sheet: a blank one would say nothing, and one left by an earlier evaluation would mislead.
    /// </summary>
    public static int Write(DatasetIndex index, IReadOnlyList<float> dogProbability, IReadOnlyList<bool> delivered, string file)
    {
        var mistakes = Pick(index.Entries, dogProbability, delivered);
        if (mistakes.Count == 0)
        {
            File.Delete(file);
            return 0;
        }

        var tiles = mistakes.Select(i => new ContactSheet.Tile(index.FullPath(index.Entries[i]),
        [
            index.Entries[i].RelativePath,
            string.Create(CultureInfo.InvariantCulture, $"P(dog) {dogProbability[i]:F3}, a {index.Entries[i].Label.ToString().ToLowerInvariant()}"),
        ])).ToList();
        ContactSheet.Write(tiles, file, columns: 4);
        return mistakes.Count;
    }

    /// <summary>The probability given to the wrong class, or null when the image was called right.</summary>
    private static float? WrongConfidence(ImageLabel truth, float dogProbability) => truth switch
    {
        ImageLabel.Cat when dogProbability >= 0.5f => dogProbability,
        ImageLabel.Dog when dogProbability < 0.5f => 1 - dogProbability,
        _ => null,
    };
}
