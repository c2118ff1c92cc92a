namespace CatsDogs.Pipeline.Data;

/// <summary>A data set on disk that cannot be used as asked; the message says what to do.</summary>
public sealed class DatasetException(string message) : Exception(message);
