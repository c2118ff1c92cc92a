using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Dataflow;

/// <summary>
/// The images one pass reads: entries of a data set with their full paths worked out once, so
/// that no path string is built per image per epoch.
/// </summary>
internal sealed class ImageSource
{
    public ImageSource(string root, IReadOnlyList<ImageEntry> entries)
    {
        Root = root;
        Entries = entries;
        FullPaths = entries.Select(e => Path.Combine(root, e.RelativePath)).ToArray();
    }

    public ImageSource(DatasetIndex index)
        : this(index.Root, index.Entries)
    {
    }

    public string Root { get; }

    public IReadOnlyList<ImageEntry> Entries { get; }

    public string[] FullPaths { get; }

    public int Count => FullPaths.Length;
}
