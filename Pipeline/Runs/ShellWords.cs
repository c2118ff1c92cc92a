namespace CatsDogs.Pipeline.Runs;

/// <summary>A command line written as a POSIX shell reads it back: a word with anything the shell would interpret is single-quoted.</summary>
internal static class ShellWords
{
    private const string Plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@%+";

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(Plain.Contains) ? word : $"'{word.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
