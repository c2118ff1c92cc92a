using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Export;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Tests.Fixtures;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace CatsDogs.Tests.Export;

/// <summary>Every preset's ONNX export, run by ONNX Runtime, against the CPU backend's inference on the same bytes.</summary>
public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private const int Images = 64;
    private readonly TempFolder _folder = new();
    private readonly ComputeDevice _device = new(new CpuBackend(new CpuBackendOptions()), "test");

    public static TheoryData<string> Presets => [.. ModelPresets.Names];

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task The_exported_graph_gives_the_cpu_backends_probabilities_on_real_images(string preset)
    {
        var spec = ModelPresets.Get(preset);
        var images = await DecodedImages.DecodeAsync(Images, spec.DefaultImageSize);
        var checkpoint = TrainedCheckpoint.Save(spec, images, _device, _folder.Path);
        var expected = CpuProbabilities(checkpoint, images);
        var model = TrainedModel.Load(checkpoint);
        var statistics = model.Weights.Where(tensor => tensor.Name.EndsWith(".running_mean", StringComparison.Ordinal) || tensor.Name.EndsWith(".running_var", StringComparison.Ordinal)).ToList();
        foreach (var tensor in statistics)
        {
            // Batch norm in inference form is only tested by statistics far from their initial 0 and 1.
            var initial = tensor.Name.EndsWith("mean", StringComparison.Ordinal) ? 0f : 1f;
            Assert.True(tensor.Data.Max(value => Math.Abs(value - initial)) > 0.05f, $"{tensor.Name} is still close to {initial}.");
        }

        using var session = new InferenceSession(model.Serialize(ExportFormat.Onnx));
        using var input = OrtValue.CreateTensorValueFromMemory(images.Pixels, [Images, images.Size, images.Size, 3]);
        using var run = new RunOptions();
        using var outputs = session.Run(run, ["image"], [input], ["p_dog"]);
        var actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(Images, actual.Length);
        var difference = expected.Zip(actual, (cpu, onnx) => Math.Abs(cpu - onnx)).Max();
        output.WriteLine($"{preset} at {images.Size}x{images.Size}, {statistics.Count / 2} batch norms: P(dog) from {expected.Min():F4} to {expected.Max():F4}; largest |CPU - ONNX Runtime| {difference:E2}");
        Assert.True(expected.Max() - expected.Min() > 1e-3, "The images must get different probabilities, or agreement would prove little.");
        Assert.InRange(difference, 0, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void The_model_declares_a_batch_of_uint8_images_in_and_one_probability_each_out(string preset)
    {
        var spec = ModelPresets.Get(preset);
        string checkpoint;
        using (var untrained = Network.Create(spec, spec.DefaultImageSize, spec.DefaultImageSize, _device, new NetworkOptions()))
        {
            checkpoint = Checkpoint.Save(untrained, _folder.Path, "last", new CheckpointInfo(0, "split-hash"));
        }

        var model = TrainedModel.Load(checkpoint);

        using var session = new InferenceSession(model.Serialize(ExportFormat.Onnx));

        var image = Assert.Single(session.InputMetadata);
        Assert.Equal("image", image.Key);
        Assert.Equal(TensorElementType.UInt8, image.Value.ElementDataType);
        Assert.Equal([-1, spec.DefaultImageSize, spec.DefaultImageSize, 3], image.Value.Dimensions);
        Assert.Equal("N", image.Value.SymbolicDimensions[0]);
        var probability = Assert.Single(session.OutputMetadata);
        Assert.Equal("p_dog", probability.Key);
        Assert.Equal(TensorElementType.Float, probability.Value.ElementDataType);
        Assert.Equal([-1], probability.Value.Dimensions);
        Assert.Equal("N", probability.Value.SymbolicDimensions[0]);
        Assert.Equal(preset, session.ModelMetadata.CustomMetadataMap["model"]);
        Assert.Equal("""{"0": "cat", "1": "dog"}""", session.ModelMetadata.CustomMetadataMap["labels"]);
    }

    public void Dispose()
    {
        _device.Dispose();
        _folder.Dispose();
    }

    private float[] CpuProbabilities(string checkpoint, DecodedImages images)
    {
        var (network, _) = Checkpoint.Load(checkpoint, _device);
        using (network)
        {
            var probabilities = new float[images.Count];
            network.Evaluate(images.Batch(0, images.Count), probabilities);
            return probabilities;
        }
    }
}
