namespace CatsDogs.Model.Specs;

/// <summary>A model that cannot be built as asked, such as a preset given an image too small for its pooling layers.</summary>
public sealed class ModelSpecException(string message) : ArgumentException(message);
