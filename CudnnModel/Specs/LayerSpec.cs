namespace CatsDogs.Model.Specs;

/// <summary>
/// One layer of a model, as Keras would list it. Subtypes are plain data; shape inference and
/// counts live here so that the summary, FLOP counts and the runtime network agree.
/// </summary>
public abstract record LayerSpec(string Name)
{
    /// <summary>The Keras class name shown in the summary, such as "Conv2D".</summary>
    public abstract string KerasType { get; }

    public abstract FeatureShape OutputShape(FeatureShape input);

    public virtual long TrainableParameters(FeatureShape input) => 0;

    /// <summary>Statistics that are saved but not trained, such as batch norm's running mean and variance.</summary>
    public virtual long NonTrainableParameters(FeatureShape input) => 0;

    /// <summary>Multiply-adds of the forward pass for one image; only convolutions and dense layers count.</summary>
    public virtual long ForwardMultiplyAdds(FeatureShape input) => 0;
}

/// <summary>Convolution with a square kernel, stride 1, optionally with bias and a fused ReLU (Keras' activation='relu').</summary>
public sealed record ConvolutionSpec(string Name, int Filters, int Kernel = 3, bool SamePadding = true, bool Bias = true, bool Relu = false)
    : LayerSpec(Name)
{
    public override string KerasType => "Conv2D";

    internal int Padding => SamePadding ? Kernel / 2 : 0;

    public override FeatureShape OutputShape(FeatureShape input)
    {
        SpecCheck.Spatial(this, input);
        var (h, w) = (input.Height + 2 * Padding - Kernel + 1, input.Width + 2 * Padding - Kernel + 1);
        SpecCheck.Positive(this, h, w);
        return new FeatureShape(Filters, h, w);
    }

    public override long TrainableParameters(FeatureShape input) =>
        (long)Filters * input.Channels * Kernel * Kernel + (Bias ? Filters : 0);

    public override long ForwardMultiplyAdds(FeatureShape input) =>
        (long)OutputShape(input).Count * input.Channels * Kernel * Kernel;
}

/// <summary>Non-overlapping max pooling; odd sizes are floored as in Keras' 'valid' pooling.</summary>
public sealed record MaxPoolSpec(string Name, int Window = 2) : LayerSpec(Name)
{
    public override string KerasType => "MaxPooling2D";

    public override FeatureShape OutputShape(FeatureShape input)
    {
        SpecCheck.Spatial(this, input);
        SpecCheck.Positive(this, input.Height / Window, input.Width / Window);
        return new FeatureShape(input.Channels, input.Height / Window, input.Width / Window);
    }
}

public sealed record FlattenSpec(string Name) : LayerSpec(Name)
{
    public override string KerasType => "Flatten";

    public override FeatureShape OutputShape(FeatureShape input) => FeatureShape.Flat(input.Count);
}

public sealed record GlobalAveragePoolSpec(string Name) : LayerSpec(Name)
{
    public override string KerasType => "GlobalAveragePooling2D";

    public override FeatureShape OutputShape(FeatureShape input)
    {
        SpecCheck.Spatial(this, input);
        return FeatureShape.Flat(input.Channels);
    }
}

/// <summary>
/// Fully connected layer on flat features, y = Scale * x W^T + b, with an optional fused ReLU.
/// A Scale below 1 (the bias is not scaled) is for an output head fed by many positive features
/// after global pooling: their common mode makes each SGD step move every logit by about lr times
/// the features' summed squares, so the outputs swing from step to step. Scaling by s divides that
/// move by s squared (David Page's CIFAR ResNet-9 scales its logits by 0.125).
/// </summary>
public sealed record DenseSpec(string Name, int Units, bool Relu = false, float Scale = 1f) : LayerSpec(Name)
{
    public override string KerasType => "Dense";

    public override FeatureShape OutputShape(FeatureShape input)
    {
        if (!input.IsFlat)
        {
            throw new ArgumentException($"Layer '{Name}' (Dense) needs flat input; put a Flatten or global pooling layer before it.");
        }

        return FeatureShape.Flat(Units);
    }

    public override long TrainableParameters(FeatureShape input) => (long)Units * input.Count + Units;

    public override long ForwardMultiplyAdds(FeatureShape input) => (long)Units * input.Count;
}

/// <summary>Inverted dropout, active in training only.</summary>
public sealed record DropoutSpec(string Name, float Rate) : LayerSpec(Name)
{
    public override string KerasType => "Dropout";

    public override FeatureShape OutputShape(FeatureShape input) =>
        Rate is >= 0f and < 1f ? input : throw new ArgumentOutOfRangeException(nameof(Rate), Rate, $"Layer '{Name}': the dropout rate must be in [0, 1).");
}

/// <summary>
/// Batch normalisation over channels. Momentum and epsilon follow PyTorch's conventions
/// (running = 0.9 running + 0.1 batch), the recipe the compact net was tuned with.
/// </summary>
public sealed record BatchNormSpec(string Name, float Momentum = 0.1f, float Epsilon = 1e-5f) : LayerSpec(Name)
{
    public override string KerasType => "BatchNormalization";

    public override FeatureShape OutputShape(FeatureShape input) => input;

    public override long TrainableParameters(FeatureShape input) => 2L * input.Channels;

    public override long NonTrainableParameters(FeatureShape input) => 2L * input.Channels;
}

/// <summary>A standalone ReLU (Keras' Activation('relu')), used after batch norm.</summary>
public sealed record ReluSpec(string Name) : LayerSpec(Name)
{
    public override string KerasType => "Activation";

    public override FeatureShape OutputShape(FeatureShape input) => input;
}

/// <summary>
/// The end of a residual block: its input, the output of the block's path, plus the output of the earlier layer
/// <paramref name="From"/>, which must have the same shape (Keras' Add of the two). The path's layers learn a correction
/// to what they skip over, and the gradient reaches the earlier layer directly as well as through them.
/// </summary>
public sealed record ResidualAddSpec(string Name, string From) : LayerSpec(Name)
{
    public override string KerasType => "Add";

    public override FeatureShape OutputShape(FeatureShape input) => input;
}
