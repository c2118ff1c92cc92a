namespace CatsDogs.Pipeline.Data;

/// <summary>
/// One image file of a data set: its path relative to the data set's root (forward slashes,
/// the key used by split and exclude files), its label, and its id (the file name without
/// extension, which is what a Kaggle submission calls it).
/// </summary>
public sealed record ImageEntry(string RelativePath, ImageLabel Label, string Id);
