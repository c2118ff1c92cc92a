namespace CatsDogs.Model.Specs;

/// <summary>The shape of one image's features between layers: channels, height, width.</summary>
public readonly record struct FeatureShape(int Channels, int Height, int Width)
{
    public int Count => Channels * Height * Width;

    /// <summary>Keras prints channels last, so the summary does too: (None, H, W, C) or (None, C) once flat.</summary>
    public string ToKerasString() => IsFlat
        ? $"(None, {Channels})"
        : $"(None, {Height}, {Width}, {Channels})";

    /// <summary>Set by layers whose output has no spatial axes (flatten, dense, global pooling).</summary>
    public bool IsFlat { get; init; }

    public static FeatureShape Flat(int features) => new(features, 1, 1) { IsFlat = true };
}
