using CatsDogs.Model.Specs;

namespace CatsDogs.Tests.Model;

public sealed class SpecTests
{
    [Theory]
    [InlineData("baseline", 64, 4_195_457, 0)]
    [InlineData("deep6", 64, 6_305_401, 0)]
    [InlineData("compact", 32, 139_873, 640)]
    [InlineData("vgg6", 32, 573_857, 1_344)]
    [InlineData("resnet9", 32, 1_643_809, 2_240)]
    public void Presets_have_the_original_parameter_counts_at_their_default_size(string name, int size, long trainable, long frozen)
    {
        var spec = ModelPresets.Get(name);
        var layers = spec.Describe(size, size);

        Assert.Equal(size, spec.DefaultImageSize);
        Assert.Equal(trainable, layers.Sum(layer => layer.TrainableParameters));
        Assert.Equal(frozen, layers.Sum(layer => layer.NonTrainableParameters));
    }

    [Fact]
    public void Compact_costs_about_58_megaflops_forward_at_32x32()
    {
        var flops = ModelPresets.Compact.ForwardFlops(32, 32);

        Assert.InRange(flops, 57_000_000, 59_000_000);
    }

    [Fact]
    public void Summary_lists_layers_shapes_and_totals_like_Keras()
    {
        var text = ModelSummary.Render(ModelPresets.Baseline, 64, 64);

        Assert.Contains(" conv1 (Conv2D)               (None, 64, 64, 32)        896", text);
        Assert.Contains(" flatten (Flatten)            (None, 32768)             0", text);
        Assert.Contains(" dense1 (Dense)               (None, 128)               4,194,432", text);
        Assert.Contains("Total params: 4,195,457", text);
        Assert.Contains("Trainable params: 4,195,457", text);
        Assert.Contains("Non-trainable params: 0", text);
    }

    [Fact]
    public void Summary_counts_batch_norm_statistics_as_non_trainable()
    {
        var text = ModelSummary.Render(ModelPresets.Compact, 32, 32);

        Assert.Contains(" bn1 (BatchNormalization)     (None, 32, 32, 32)        128", text);
        Assert.Contains("Total params: 140,513", text);
        Assert.Contains("Non-trainable params: 640", text);
    }

    /// <summary>Eight 3x3 convolutions at 32..256 filters: 95,256,576 multiply-adds, and the dense layer's 256.</summary>
    [Fact]
    public void Resnet9_costs_about_190_megaflops_forward_at_32x32()
    {
        Assert.Equal(2 * 95_256_832L, ModelPresets.Resnet9.ForwardFlops(32, 32));
    }

    /// <summary>Six 3x3 convolutions (27, 288, 576, 576, 1152 and 1152 inputs to each of 32x32x32, 16x16x64 twice, 8x8x128 twice and 4x4x256 outputs): 33,914,880 multiply-adds, and the head's 256.</summary>
    [Fact]
    public void Vgg6_costs_about_68_megaflops_forward_at_32x32()
    {
        Assert.Equal(2 * 33_915_136L, ModelPresets.Vgg6.ForwardFlops(32, 32));
    }

    [Fact]
    public void Summary_shows_the_scale_of_a_scaled_head()
    {
        var text = ModelSummary.Render(ModelPresets.Vgg6, 32, 32);

        Assert.Contains(" output (Dense x0.125)        (None, 1)                 257", text);
        Assert.Contains(" conv6 (Conv2D)               (None, 4, 4, 256)         294,912", text);
    }

    [Fact]
    public void Summary_names_the_layer_a_residual_add_skips_back_to()
    {
        var text = ModelSummary.Render(ModelPresets.Resnet9, 32, 32);

        Assert.Contains(" res1 (Add + pool2)           (None, 16, 16, 64)        0", text);
        Assert.Contains(" res2 (Add + pool6)           (None, 4, 4, 256)         0", text);
    }

    [Fact]
    public void A_residual_add_must_skip_back_to_an_earlier_layer_of_its_own_shape()
    {
        LayerSpec[] Net(string from, int filters) =>
        [
            new ConvolutionSpec("conv1", 8), new ConvolutionSpec("conv2", filters), new ResidualAddSpec("res", from),
            new GlobalAveragePoolSpec("gap"), new DenseSpec("output", 1),
        ];

        Assert.Equal(0, new ModelSpec("ok", Net("conv1", 8)).Describe(6, 6)[2].SkipFrom);
        var later = Assert.Throws<ArgumentException>(() => new ModelSpec("later", Net("gap", 8)).Describe(6, 6));
        Assert.Equal("Layer 'res' of model 'later' adds the output of 'gap', which is no earlier layer.", later.Message);
        var shape = Assert.Throws<ArgumentException>(() => new ModelSpec("shape", Net("conv1", 16)).Describe(6, 6));
        Assert.Equal("Layer 'res' of model 'shape' adds 'conv1', of shape (None, 6, 6, 8), to its input of shape (None, 6, 6, 16); the two must have one shape.", shape.Message);
    }

    [Fact]
    public void An_image_too_small_for_deep6_names_the_layer()
    {
        var error = Assert.Throws<ModelSpecException>(() => ModelPresets.Deep6.Describe(32, 32));

        Assert.Contains("pool6", error.Message);
    }

    [Fact]
    public void Unknown_preset_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelPresets.Get("resnet"));

        Assert.Contains("baseline, deep6, compact", error.Message);
    }
}
