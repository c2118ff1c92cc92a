using System.CommandLine;

namespace CatsDogs.Pipeline.Cli;

/// <summary>The verb a mistyped one was probably meant to be ("trian" → "train").</summary>
internal static class VerbSuggestion
{
    /// <summary>The subcommand of <paramref name="command"/> nearest to <paramref name="typed"/>, where one is near enough to be a typo.</summary>
    public static string? Nearest(Command command, string typed)
    {
        if (command.Subcommands.Count == 0)
        {
            return null;
        }

        var lower = typed.ToLowerInvariant();
        var nearest = command.Subcommands.Select(verb => (verb.Name, Distance: EditDistance(lower, verb.Name))).MinBy(candidate => candidate.Distance);
        // Two edits (a swap counts as one), or a third of a long word: 'trian', 'evalute', 'benchh'.
        return nearest.Distance <= Math.Max(2, typed.Length / 3) ? nearest.Name : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
