namespace CatsDogs.Model.Specs;

/// <summary>Shape errors in a spec, reported with the layer that caused them.</summary>
internal static class SpecCheck
{
    public static void Spatial(LayerSpec layer, FeatureShape input)
    {
        if (input.IsFlat)
        {
            throw new ModelSpecException($"Layer '{layer.Name}' ({layer.KerasType}) needs an image-shaped input, but its input is already flat.");
        }
    }

    public static void Positive(LayerSpec layer, int height, int width)
    {
        if (height <= 0 || width <= 0)
        {
            throw new ModelSpecException($"Layer '{layer.Name}' ({layer.KerasType}) would produce a {height}x{width} output; the image is too small for this model.");
        }
    }
}
