namespace CatsDogs.Pipeline.Dataflow;

/// <summary>Why an image was left out of a batch. Every skipped file is counted under one reason.</summary>
internal enum SkipReason
{
    None = 0,

    /// <summary>The file has no bytes.</summary>
    Empty,

    /// <summary>The file could not be read (gone, no permission, I/O error).</summary>
    Unreadable,

    /// <summary>No decoder recognises the bytes: text saved as .jpg, an unsupported format.</summary>
    NotAnImage,

    /// <summary>The header claims more pixels than the limit; rejected before any pixel is allocated.</summary>
    TooLarge,

    /// <summary>The data ends before the image does.</summary>
    Truncated,

    /// <summary>The decoder recognised the format but the data is invalid.</summary>
    Corrupt,
}

internal static class SkipReasons
{
    public static readonly SkipReason[] All = Enum.GetValues<SkipReason>().Where(r => r != SkipReason.None).ToArray();

    /// <summary>The reason as a metric label value: fixed, lower case, no spaces.</summary>
    public static string Label(this SkipReason reason) => reason switch
    {
        SkipReason.Empty => "empty",
        SkipReason.Unreadable => "unreadable",
        SkipReason.NotAnImage => "not_an_image",
        SkipReason.TooLarge => "too_large",
        SkipReason.Truncated => "truncated",
        SkipReason.Corrupt => "corrupt",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Only skipped images have a reason."),
    };

    public static string Describe(this SkipReason reason) => reason switch
    {
        SkipReason.Empty => "empty file",
        SkipReason.Unreadable => "cannot be read",
        SkipReason.NotAnImage => "not an image",
        SkipReason.TooLarge => "too many pixels",
        SkipReason.Truncated => "truncated",
        SkipReason.Corrupt => "corrupt",
        _ => reason.ToString(),
    };
}
