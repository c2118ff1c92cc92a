using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Export.Onnx;
using CatsDogs.Model.Specs;
using Google.Protobuf;

namespace CatsDogs.Model.Export;

/// <summary>
/// A checkpoint's network as an export sees it: the preset, the image size it was trained at, and the
/// tensors inference needs (parameters and batch norm's running statistics, not the optimizer's moments).
/// </summary>
public sealed class TrainedModel
{
    private readonly Dictionary<string, SafeTensor> _byName;

    private TrainedModel(ModelSpec spec, int height, int width, long step, CheckpointInfo info, IReadOnlyList<SafeTensor> weights)
    {
        Spec = spec;
        (ImageHeight, ImageWidth) = (height, width);
        Step = step;
        Epoch = info.Epoch;
        SplitHash = info.SplitHash;
        Weights = weights;
        _byName = weights.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
    }

    public ModelSpec Spec { get; }

    public int ImageHeight { get; }

    public int ImageWidth { get; }

    /// <summary>Optimizer steps the weights had taken.</summary>
    public long Step { get; }

    /// <summary>Epochs finished when the checkpoint was saved.</summary>
    public int Epoch { get; }

    /// <summary>The SHA-256 of the split file the network was trained and validated on.</summary>
    public string SplitHash { get; }

    /// <summary>Every parameter and buffer, in layer order.</summary>
    internal IReadOnlyList<SafeTensor> Weights { get; }

    /// <summary>
    /// Reads the checkpoint whose JSON is <paramref name="checkpointJson"/>, with every check a training resume makes
    /// (the JSON parses, the weights file is there and has the SHA-256 the JSON records, every tensor fits the preset):
    /// an <see cref="InvalidDataException"/> says what is wrong.
    /// </summary>
    public static TrainedModel Load(string checkpointJson)
    {
        // One CPU thread: the network is only built to check and read back the weights, never run.
        using var device = new ComputeDevice(new CpuBackend(new CpuBackendOptions { Threads = 1 }), "export");
        var (network, info) = Checkpoint.Load(checkpointJson, device);
        using (network)
        {
            return new TrainedModel(network.Spec, network.ImageHeight, network.ImageWidth, network.Step, info,
                Checkpoint.ReadTensors(network, network.InferenceTensors));
        }
    }

    /// <summary>The file's bytes in <paramref name="format"/>.</summary>
    public byte[] Serialize(ExportFormat format) => format switch
    {
        ExportFormat.Onnx => OnnxExport.Build(this).ToByteArray(),
        ExportFormat.Safetensors => WeightsExport.Serialize(this),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Formats: onnx, safetensors."),
    };

    /// <summary>The tensor a layer saved under <paramref name="name"/> ("conv1.weight").</summary>
    internal SafeTensor Weight(string name) =>
        _byName.TryGetValue(name, out var tensor)
            ? tensor
            : throw new InvalidOperationException($"Model '{Spec.Name}' has no tensor '{name}'; its layers saved [{string.Join(", ", _byName.Keys)}].");
}
