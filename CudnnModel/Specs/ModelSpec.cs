namespace CatsDogs.Model.Specs;

/// <summary>
/// A named sequence of layers that ends in one logit (P(dog) after a sigmoid). Input is an RGB
/// image of a size chosen when the model is built.
/// </summary>
public sealed record ModelSpec(string Name, IReadOnlyList<LayerSpec> Layers)
{
    public const int InputChannels = 3;

    /// <summary>The square image size the model was designed for, the default of --image-size.</summary>
    public int DefaultImageSize { get; init; } = 64;

    /// <summary>Infers every layer's shapes and counts for an image size; throws if the layers do not fit it.</summary>
    public IReadOnlyList<LayerDescription> Describe(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var shape = new FeatureShape(InputChannels, height, width);
        var result = new List<LayerDescription>(Layers.Count);
        foreach (var layer in Layers)
        {
            if (!names.Add(layer.Name))
            {
                throw new ArgumentException($"Model '{Name}' has two layers named '{layer.Name}'.");
            }

            var output = layer.OutputShape(shape);
            result.Add(new LayerDescription(layer, shape, output, layer.TrainableParameters(shape),
                layer.NonTrainableParameters(shape), layer.ForwardMultiplyAdds(shape))
            {
                SkipFrom = layer is ResidualAddSpec residual ? SkipSource(residual, shape, result) : null,
            });
            shape = output;
        }

        if (!shape.IsFlat || shape.Count != 1)
        {
            throw new ArgumentException($"Model '{Name}' must end in one output unit, but ends in {shape.ToKerasString()}.");
        }

        return result;
    }

    private int SkipSource(ResidualAddSpec residual, FeatureShape input, List<LayerDescription> earlier)
    {
        var from = earlier.FindIndex(layer => layer.Spec.Name == residual.From);
        if (from < 0)
        {
            throw new ArgumentException($"Layer '{residual.Name}' of model '{Name}' adds the output of '{residual.From}', which is no earlier layer.");
        }

        if (earlier[from].Output != input)
        {
            throw new ArgumentException($"Layer '{residual.Name}' of model '{Name}' adds '{residual.From}', of shape {earlier[from].Output.ToKerasString()}, " +
                $"to its input of shape {input.ToKerasString()}; the two must have one shape.");
        }

        return from;
    }

    /// <summary>Forward-pass floating-point operations for one image (2 per multiply-add).</summary>
    public long ForwardFlops(int height, int width) => 2 * Describe(height, width).Sum(layer => layer.MultiplyAdds);
}

/// <summary>One layer with the shapes and counts it has at a given image size.</summary>
public sealed record LayerDescription(LayerSpec Spec, FeatureShape Input, FeatureShape Output,
    long TrainableParameters, long NonTrainableParameters, long MultiplyAdds)
{
    /// <summary>For a residual add, the index of the earlier layer whose output it adds to its input.</summary>
    public int? SkipFrom { get; init; }
}
