namespace CatsDogs.Pipeline.Dataflow;

/// <summary>How a non-square image becomes the square network input.</summary>
internal enum FitMode
{
    /// <summary>Scale each axis on its own, as Keras' flow_from_directory does (the default).</summary>
    Stretch,

    /// <summary>Take the largest centred square, then scale it.</summary>
    Crop,
}
