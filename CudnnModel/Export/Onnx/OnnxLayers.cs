using CatsDogs.Model.Specs;
using static CatsDogs.Model.Export.Onnx.OnnxGraph;

namespace CatsDogs.Model.Export.Onnx;

/// <summary>
/// Each kind of layer spec as ONNX nodes in inference form, computing what the layer's forward pass computes
/// in evaluation: batch norm with its running statistics, dropout as nothing. Tensors are NCHW throughout, as
/// in both backends, so a flatten is ONNX's Flatten (channel-major, like our flatten's view of NCHW memory).
/// A new kind of layer is one more case here.
/// </summary>
internal static class OnnxLayers
{
    /// <summary>
    /// Adds <paramref name="layer"/>'s nodes reading <paramref name="input"/>, and for a residual add the value of the layer it
    /// skips back to among <paramref name="earlier"/> (each earlier layer's, in order); returns the value they produce.
    /// </summary>
    public static string Add(OnnxGraph graph, LayerDescription layer, TrainedModel model, string input, IReadOnlyList<string> earlier) => layer.Spec switch
    {
        ConvolutionSpec conv => Convolution(graph, layer, conv, model, input),
        BatchNormSpec norm => BatchNorm(graph, layer, norm, model, input),
        ReluSpec relu => graph.Node("Relu", relu.Name, [input]),
        MaxPoolSpec pool => graph.Node("MaxPool", pool.Name, [input], Ints("kernel_shape", pool.Window, pool.Window), Ints("strides", pool.Window, pool.Window)),
        // The spec's output is already flat, [N, C]; ONNX's pooling keeps [N, C, 1, 1].
        GlobalAveragePoolSpec gap => graph.Node("Flatten", gap.Name, [graph.Node("GlobalAveragePool", $"{gap.Name}.pool", [input])], Int("axis", 1)),
        FlattenSpec flatten => graph.Node("Flatten", flatten.Name, [input], Int("axis", 1)),
        DenseSpec dense => Dense(graph, layer, dense, model, input),
        DropoutSpec => input,
        ResidualAddSpec residual => graph.Node("Add", residual.Name, [input, earlier[layer.SkipFrom!.Value]]),
        var other => throw new NotSupportedException($"Layer '{other.Name}' ({other.GetType().Name}) has no ONNX form yet; add it to {nameof(OnnxLayers)}."),
    };

    private static string Convolution(OnnxGraph graph, LayerDescription layer, ConvolutionSpec conv, TrainedModel model, string input)
    {
        var weight = graph.Floats($"{conv.Name}.weight", [conv.Filters, layer.Input.Channels, conv.Kernel, conv.Kernel], model.Weight($"{conv.Name}.weight").Data);
        string[] inputs = conv.Bias ? [input, weight, Vector(graph, model, $"{conv.Name}.bias", conv.Filters)] : [input, weight];
        var padding = conv.Padding;
        var output = graph.Node("Conv", conv.Name, inputs,
            Ints("kernel_shape", conv.Kernel, conv.Kernel), Ints("pads", padding, padding, padding, padding), Ints("strides", 1, 1));
        return conv.Relu ? graph.Node("Relu", $"{conv.Name}.relu", [output]) : output;
    }

    /// <summary>ONNX's BatchNormalization in inference mode (its default): the running statistics, never the batch's.</summary>
    private static string BatchNorm(OnnxGraph graph, LayerDescription layer, BatchNormSpec norm, TrainedModel model, string input)
    {
        string[] tensors = ["weight", "bias", "running_mean", "running_var"];
        return graph.Node("BatchNormalization", norm.Name,
            [input, .. tensors.Select(tensor => Vector(graph, model, $"{norm.Name}.{tensor}", layer.Input.Channels))], Float("epsilon", norm.Epsilon));
    }

    private static string Dense(OnnxGraph graph, LayerDescription layer, DenseSpec dense, TrainedModel model, string input)
    {
        // Our dense weight is [units, inputs], as PyTorch's: y = x W^T + b.
        var weight = graph.Floats($"{dense.Name}.weight", [dense.Units, layer.Input.Count], model.Weight($"{dense.Name}.weight").Data);
        var output = graph.Node("Gemm", dense.Name, [input, weight, Vector(graph, model, $"{dense.Name}.bias", dense.Units)],
            Int("transB", 1), Float("alpha", dense.Scale));
        return dense.Relu ? graph.Node("Relu", $"{dense.Name}.relu", [output]) : output;
    }

    private static string Vector(OnnxGraph graph, TrainedModel model, string name, int length) => graph.Floats(name, [length], model.Weight(name).Data);
}
