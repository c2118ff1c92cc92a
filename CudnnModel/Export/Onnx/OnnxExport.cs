using CatsDogs.Model.Export.Onnx.Proto;
using CatsDogs.Model.Memory;
using static CatsDogs.Model.Export.Onnx.OnnxGraph;
using DataType = CatsDogs.Model.Export.Onnx.Proto.TensorProto.Types.DataType;

namespace CatsDogs.Model.Export.Onnx;

/// <summary>
/// A trained network as an ONNX model that takes exactly what the input pipeline hands a backend and gives
/// P(dog): image (uint8 [N, H, W, 3], RGB) is cast to float, multiplied by the backends' pixel scale and
/// transposed to NCHW inside the graph, then runs through the layers (<see cref="OnnxLayers"/>), a sigmoid,
/// and a squeeze to p_dog (float32 [N]).
/// </summary>
public static class OnnxExport
{
    /// <summary>Opset 17 (ONNX 1.12) has every operator used here in its current form; IR version 8 is the one it came with.</summary>
    public const long OpsetVersion = 17;

    private const long IrVersion = 8;

    internal static ModelProto Build(TrainedModel model)
    {
        var graph = new OnnxGraph(model.Spec.Name);
        graph.Input(ExportMetadata.InputName, DataType.Uint8, model.ImageHeight, model.ImageWidth, HostImageBatch.Channels);
        var x = graph.Node("Cast", "image.float", [ExportMetadata.InputName], Int("to", (long)DataType.Float));
        x = graph.Node("Mul", "image.scaled", [x, graph.Floats("pixel_scale", [], [HostImageBatch.PixelScale])]);
        x = graph.Node("Transpose", "image.nchw", [x], Ints("perm", 0, 3, 1, 2));
        var outputs = new List<string>();
        foreach (var layer in model.Spec.Describe(model.ImageHeight, model.ImageWidth))
        {
            x = OnnxLayers.Add(graph, layer, model, x, outputs);
            outputs.Add(x);
        }

        var probability = graph.Node("Sigmoid", "probability", [x]);
        graph.Node("Squeeze", ExportMetadata.OutputName, [probability, graph.Int64s("unit_axis", 1)]);
        graph.Output(ExportMetadata.OutputName, DataType.Float);

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "catsdogs",
            ModelVersion = model.Step,
            DocString = $"catsdogs '{model.Spec.Name}' at {model.ImageHeight}x{model.ImageWidth}, epoch {model.Epoch}: P(dog) for each RGB image.",
            Graph = graph.Proto,
            OpsetImport = { new OperatorSetIdProto { Domain = string.Empty, Version = OpsetVersion } },
        };
        proto.MetadataProps.Add(ExportMetadata.Of(model).Select(entry => new StringStringEntryProto { Key = entry.Key, Value = entry.Value }));
        return proto;
    }
}
