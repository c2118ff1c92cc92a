namespace CatsDogs.Pipeline.Data;

/// <summary>How messages name a list too long to print whole: its first three, then "...".</summary>
internal static class Examples
{
    public static string Of(IReadOnlyCollection<string> items) => string.Join(", ", items.Take(3)) + (items.Count > 3 ? ", ..." : "");
}
