using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;
using CatsDogs.Tests.Model.Backends;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Model.Training;

/// <summary>
/// Every preset's gradients, end to end, against float64 finite differences
/// (<see cref="NetworkGradientCheck"/>): how the layers chain their gradients (the conv layer's
/// in-place ReLU backward, batch norm, dropout's mask, dense, a residual add's two paths), which the op suite checks one op at
/// a time and the learning tests only by whether the loss falls. Small images, non-square where
/// the preset allows (deep6's six poolings need 64 pixels, and its float64 differences take most of
/// the time: one image); derive once per backend, and mark a backend that cannot run everywhere
/// with a <see cref="BackendUnavailableAttribute"/>.
/// </summary>
public abstract class NetworkGradientTests : IDisposable
{
    /// <summary>
    /// The float32 gradients of the CPU backend come within 1.3e-6 of the float64 differences,
    /// relative to each tensor's largest (sums of float32 products, over up to 32,768 terms); the
    /// self-test's fp32 threshold leaves a hundredfold margin, while a wrong sign is off by 2.
    /// </summary>
    private const double Tolerance = 1e-4;

    private protected NetworkGradientTests(IBackend backend) => Backend = backend;

    private protected IBackend Backend { get; }

    [BackendTheory]
    [InlineData("compact", 8, 12, 4)]
    [InlineData("baseline", 8, 12, 4)]
    [InlineData("deep6", 64, 64, 1)]
    [InlineData("resnet9", 16, 24, 2)]
    public void Every_parameter_gradient_matches_finite_differences_of_a_float64_forward(string preset, int height, int width, int batch)
    {
        var spec = ModelPresets.Get(preset);

        var result = NetworkGradientCheck.Run(Backend, spec, height, width, batch);

        Assert.True(Math.Abs(result.NetworkLoss - result.ReferenceLoss) < 1e-5 * result.ReferenceLoss,
            $"The network's loss {result.NetworkLoss} is not the reference's {result.ReferenceLoss}: the reference is another network.");
        Assert.Equal(Parameters(spec, height, width), result.Tensors.Select(t => t.Name));
        Assert.All(result.Tensors, t => Assert.True(t.Error < Tolerance, $"{t.Name}: relative error {t.Error:E2} over {t.Samples} sampled elements"));
    }

    /// <summary>One layer's backward pass returns its input gradient with the wrong sign: every parameter before that layer fails the check, and none after it.</summary>
    [BackendTheory]
    [InlineData("compact", 8, 12, 4, nameof(IBackend.BatchNormBackward), 3,
        new[] { "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "conv3.weight" })]
    [InlineData("baseline", 8, 12, 4, nameof(IBackend.DropoutBackward), 1, new[] { "conv1.weight", "conv1.bias", "dense1.weight", "dense1.bias" })]
    [InlineData("deep6", 64, 64, 1, nameof(IBackend.ReluBackward), 3,
        new[] { "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight", "conv3.bias", "conv4.weight", "conv4.bias" })]
    // Calls 1 and 2 are the forward pass's sums; call 3 joins res2's skip gradient to pool6's.
    [InlineData("resnet9", 16, 24, 2, nameof(IBackend.Add), 3,
        new[]
        {
            "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias", "conv3.weight", "bn3.weight", "bn3.bias",
            "conv4.weight", "bn4.weight", "bn4.bias", "conv5.weight", "bn5.weight", "bn5.bias", "conv6.weight", "bn6.weight", "bn6.bias",
        })]
    public void A_backward_pass_with_a_wrong_sign_fails_the_check_in_every_parameter_before_it(string preset, int height, int width, int batch,
        string op, int call, string[] failing)
    {
        var result = NetworkGradientCheck.Run(new SignFlippingBackend(Backend, op, call), ModelPresets.Get(preset), height, width, batch);

        Assert.Equal(failing, result.Tensors.Where(t => t.Error >= Tolerance).Select(t => t.Name));
    }

    public void Dispose()
    {
        Backend.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Every trained tensor's name, as the spec describes the layers: weights, then biases where a layer has them.</summary>
    private static IEnumerable<string> Parameters(ModelSpec spec, int height, int width) =>
        spec.Describe(height, width).SelectMany(layer => layer.Spec switch
        {
            ConvolutionSpec { Bias: false } => [$"{layer.Spec.Name}.weight"],
            ConvolutionSpec or DenseSpec or BatchNormSpec => new[] { $"{layer.Spec.Name}.weight", $"{layer.Spec.Name}.bias" },
            _ => [],
        });
}
