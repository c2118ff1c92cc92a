using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// The shapes at which the backend comparison runs each op family, in the self-test (on a real
/// GPU) and in the tests. Two small ones per family, with odd or non-square sides, a batch of 1
/// and channel counts that are no multiple of 8, so that no fast path, tail loop or odd-size
/// branch goes unchecked; then, for each preset at its default image size, the largest problem
/// it gives that family, at batch 1 (the largest sizes and grids a training run reaches, in
/// about a second of the CPU reference).
/// </summary>
internal static class ComparisonShapes
{
    public static IReadOnlyList<ConvolutionShape> Convolutions { get; } =
    [
        new("odd sides", new TensorShape(3, 5, 11, 9), Filters: 7, Kernel: 3),
        new("batch of 1", new TensorShape(1, 3, 6, 10), Filters: 13, Kernel: 3),
        .. Largest(layers => layers.Where(l => l.Spec is ConvolutionSpec).MaxBy(l => l.MultiplyAdds),
            (spec, layer) => new ConvolutionShape(spec, Batch1(layer.Input), layer.Output.Channels, ((ConvolutionSpec)layer.Spec).Kernel)),
    ];

    public static IReadOnlyList<DenseShape> Dense { get; } =
    [
        new("NCHW input", new TensorShape(6, 4, 3, 3), Units: 5),
        new("batch of 1", new TensorShape(1, 45), Units: 3),
        .. Largest(layers => layers.Where(l => l.Spec is DenseSpec).MaxBy(l => l.TrainableParameters),
            (spec, layer) => new DenseShape(spec, Batch1(layer.Input), layer.Output.Count)),
    ];

    /// <summary>For the element-wise ops, pooling and batch norm: pooling floors the odd sides, leaving rows and columns in no window.</summary>
    public static IReadOnlyList<NamedShape> FeatureMaps { get; } =
    [
        new("odd sides", new TensorShape(3, 5, 7, 9)),
        new("batch of 1", new TensorShape(1, 6, 10, 4)),
        .. Largest(layers => layers.Where(l => !l.Output.IsFlat).MaxBy(l => l.Output.Count), (spec, layer) => new NamedShape(spec, Batch1(layer.Output))),
    ];

    /// <summary>For the optimizer updates and the squared norm: a layer's trained values as one vector.</summary>
    public static IReadOnlyList<NamedShape> Parameters { get; } =
    [
        new("small", new TensorShape(11, 13)),
        new("one value", new TensorShape(1, 1)),
        .. Largest(layers => layers.MaxBy(l => l.TrainableParameters), (spec, layer) => new NamedShape(spec, new TensorShape(1, checked((int)layer.TrainableParameters)))),
    ];

    /// <summary>For the loss: one block of the CUDA kernel's 256 threads holds 37 logits, and loops over 300.</summary>
    public static IReadOnlyList<NamedShape> Logits { get; } =
    [
        new("37 logits", new TensorShape(37, 1)),
        new("batch of 1", new TensorShape(1, 1)),
        new("300 logits", new TensorShape(300, 1)),
    ];

    /// <summary>For the image load: [N, 3, H, W].</summary>
    public static IReadOnlyList<NamedShape> Images { get; } =
    [
        new("odd sides", new TensorShape(5, 3, 7, 5)),
        new("batch of 1", new TensorShape(1, 3, 4, 9)),
        .. ModelPresets.All.Select(spec => new NamedShape($"{spec.Name} input", new TensorShape(1, 3, spec.DefaultImageSize, spec.DefaultImageSize))),
    ];

    private static TensorShape Batch1(FeatureShape features) => new(1, features.Channels, features.Height, features.Width);

    /// <summary>One shape per preset: the layer <paramref name="pick"/> chooses among its layers at the default image size.</summary>
    private static IEnumerable<T> Largest<T>(Func<IEnumerable<LayerDescription>, LayerDescription?> pick, Func<string, LayerDescription, T> shape) =>
        from spec in ModelPresets.All
        let layer = pick(spec.Describe(spec.DefaultImageSize, spec.DefaultImageSize))
        where layer is not null
        select shape($"{spec.Name} {layer.Spec.Name}", layer);
}

/// <summary>A tensor shape with the case it stands for.</summary>
internal readonly record struct NamedShape(string Name, TensorShape Shape)
{
    public override string ToString() => $"{Name} {Shape}";
}

/// <summary>A convolution with a square kernel, stride 1, compared with 'same' padding and with none.</summary>
internal readonly record struct ConvolutionShape(string Name, TensorShape Input, int Filters, int Kernel)
{
    public TensorShape Weights => new(Filters, Input.C, Kernel, Kernel);

    public TensorShape Output(int padding) => new(Input.N, Filters, Input.H + 2 * padding - Kernel + 1, Input.W + 2 * padding - Kernel + 1);

    /// <summary>Whether the input is at least as large as the kernel, so that a convolution without padding has an output.</summary>
    public bool FitsUnpadded => Input.H >= Kernel && Input.W >= Kernel;

    public override string ToString() => $"{Name} {Input} -> {Filters} filters";
}

/// <summary>A dense layer's product on an input read as [N, C*H*W].</summary>
internal readonly record struct DenseShape(string Name, TensorShape Input, int Units)
{
    public override string ToString() => $"{Name} {Input} -> {Units} units";
}
