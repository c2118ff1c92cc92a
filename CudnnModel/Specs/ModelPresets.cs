namespace CatsDogs.Model.Specs;

/// <summary>The named networks the command line offers.</summary>
public static class ModelPresets
{
    /// <summary>
    /// The original small network: conv 3x3 32 'same' + ReLU, max-pool 2, flatten, dense 128 +
    /// ReLU, dropout 0.5, dense 1. 4,195,457 parameters at 64x64.
    /// </summary>
    public static ModelSpec Baseline { get; } = new("baseline",
    [
        new ConvolutionSpec("conv1", 32, Relu: true),
        new MaxPoolSpec("pool1"),
        new FlattenSpec("flatten"),
        new DenseSpec("dense1", 128, Relu: true),
        new DropoutSpec("dropout", 0.5f),
        new DenseSpec("output", 1),
    ]);

    /// <summary>
    /// The original deep network: six blocks of conv 3x3 'same' + ReLU + max-pool 2 with
    /// 100..600 filters, flatten, dense 1. 6,305,401 parameters at 64x64.
    /// </summary>
    public static ModelSpec Deep6 { get; } = new("deep6",
    [
        .. Enumerable.Range(1, 6).SelectMany(i => new LayerSpec[]
        {
            new ConvolutionSpec($"conv{i}", 100 * i, Relu: true),
            new MaxPoolSpec($"pool{i}"),
        }),
        new FlattenSpec("flatten"),
        new DenseSpec("output", 1),
    ]);

    /// <summary>
    /// A small modern net for CPUs: (conv-BN-ReLU) x2 at 32 filters, pool, x2 at 64, pool, one at
    /// 128, global average pooling, dense 1. About 58 MFLOP forward at 32x32 and 139,873
    /// trainable parameters: convolutions carry no bias because batch norm's beta replaces it.
    /// The width and depth were chosen so that about 20 epochs of 10k CIFAR images fit in 12
    /// minutes on two cores, which is what reaching 0.85 took with this recipe.
    /// </summary>
    public static ModelSpec Compact { get; } = new("compact",
    [
        .. Block(1, 32), .. Block(2, 32),
        new MaxPoolSpec("pool1"),
        .. Block(3, 64), .. Block(4, 64),
        new MaxPoolSpec("pool2"),
        .. Block(5, 128),
        new GlobalAveragePoolSpec("gap"),
        new DenseSpec("output", 1),
    ])
    {
        DefaultImageSize = 32,
    };

    /// <summary>
    /// A VGG-style net that pools early, at compact's cost (68 MFLOP forward at 32x32) but wider and deeper where that is
    /// cheap: one conv-BN-ReLU at 32 filters on the full 32x32, then pool; two at 64 on 16x16, pool; two at 128 on 8x8,
    /// pool; one at 256 on 4x4; global average pooling; a dense head scaled by 0.125 (see <see cref="DenseSpec.Scale"/>),
    /// which wants a learning rate about 8 times compact's. 573,857 trainable parameters.
    /// </summary>
    public static ModelSpec Vgg6 { get; } = new("vgg6",
    [
        .. Block(1, 32),
        new MaxPoolSpec("pool1"),
        .. Block(2, 64), .. Block(3, 64),
        new MaxPoolSpec("pool3"),
        .. Block(4, 128), .. Block(5, 128),
        new MaxPoolSpec("pool5"),
        .. Block(6, 256),
        new GlobalAveragePoolSpec("gap"),
        new DenseSpec("output", 1, Scale: 0.125f),
    ])
    {
        DefaultImageSize = 32,
    };

    /// <summary>
    /// A residual network on the pattern of the CIFAR ResNet-9 (David Page's DAWNBench design) at half its width: a
    /// conv-BN-ReLU stem at 32 filters; conv-BN-ReLU at 64 and pool, then a residual block of two conv-BN-ReLU at 64;
    /// conv-BN-ReLU-pool at 128 and at 256; a residual block at 256; global average pooling, dense 1. Every skip is the
    /// identity, because the filter count changes only outside the blocks. About 190 MFLOP forward at 32x32. The head is
    /// scaled by 0.125 as in Page's design: unscaled, the first epochs' logits swung so far that validation accuracy fell to
    /// chance.
    /// </summary>
    public static ModelSpec Resnet9 { get; } = new("resnet9",
    [
        .. Block(1, 32),
        .. Block(2, 64),
        new MaxPoolSpec("pool2"),
        .. Block(3, 64), .. Block(4, 64),
        new ResidualAddSpec("res1", From: "pool2"),
        .. Block(5, 128),
        new MaxPoolSpec("pool5"),
        .. Block(6, 256),
        new MaxPoolSpec("pool6"),
        .. Block(7, 256), .. Block(8, 256),
        new ResidualAddSpec("res2", From: "pool6"),
        new GlobalAveragePoolSpec("gap"),
        new DenseSpec("output", 1, Scale: 0.125f),
    ])
    {
        DefaultImageSize = 32,
    };

    public static IReadOnlyList<ModelSpec> All { get; } = [Baseline, Deep6, Compact, Vgg6, Resnet9];

    public static IEnumerable<string> Names => All.Select(spec => spec.Name);

    /// <summary>Finds a preset by name (case-insensitive); the error lists the names that exist.</summary>
    public static ModelSpec Get(string name) =>
        All.FirstOrDefault(spec => string.Equals(spec.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));

    private static LayerSpec[] Block(int index, int filters) =>
    [
        new ConvolutionSpec($"conv{index}", filters, Bias: false),
        new BatchNormSpec($"bn{index}"),
        new ReluSpec($"relu{index}"),
    ];
}
