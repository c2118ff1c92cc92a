using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;

namespace CatsDogs.Pipeline.Explore;

/// <summary>What exploring learned of one image: its declared size, or why it cannot be used.</summary>
internal readonly record struct ImageFacts(ImageEntry Entry, int Width, int Height, SkipReason Problem, string? Detail)
{
    /// <summary>How far from square: the longer side over the shorter, 1 for a square.</summary>
    public double Skew => Width > 0 && Height > 0 ? (double)Math.Max(Width, Height) / Math.Min(Width, Height) : 0;
}
