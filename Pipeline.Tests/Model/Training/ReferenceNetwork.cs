using CatsDogs.Model.Specs;
using CatsDogs.Tests.Model.Backends;

namespace CatsDogs.Tests.Model.Training;

/// <summary>
/// A model spec's training-mode forward pass and loss in float64, from given weights, layer by
/// layer with the plain definitions of <see cref="ReferenceOps"/>: batch statistics in batch norm,
/// dropout masks from the seeds the network drew, then the mean binary cross-entropy over the
/// labeled images. It shares nothing with the backends but the spec, so finite differences of its
/// loss check a network's whole backward pass. Parameters are found by their checkpoint names
/// ("conv1.weight"), as a network names them.
/// </summary>
internal sealed class ReferenceNetwork(ModelSpec spec, int height, int width, float[] labels, IReadOnlyDictionary<string, ulong> dropoutSeeds)
{
    private readonly int _batch = labels.Length;

    public IReadOnlyList<LayerDescription> Layers { get; } = spec.Describe(height, width);

    /// <summary>The layer whose parameter <paramref name="parameter"/> is.</summary>
    public int LayerOf(string parameter) => Layers.Select(layer => layer.Spec.Name + ".").ToList().FindIndex(parameter.StartsWith);

    /// <summary>The input of every layer, for <see cref="LossFrom"/> to start at any of them.</summary>
    public double[][] Inputs(double[] images, Func<string, double[]> parameter)
    {
        var inputs = new double[Layers.Count][];
        var outputs = new double[Layers.Count][];
        var x = images;
        for (var i = 0; i < Layers.Count; i++)
        {
            inputs[i] = x;
            x = outputs[i] = Forward(i, x, outputs, parameter);
        }

        return inputs;
    }

    /// <summary>
    /// The mean loss, running the layers from <paramref name="first"/> on its input in <paramref name="inputs"/>; a residual
    /// add that skips back before <paramref name="first"/> takes that layer's output from <paramref name="inputs"/> too.
    /// </summary>
    public double LossFrom(int first, double[][] inputs, Func<string, double[]> parameter)
    {
        var outputs = new double[Layers.Count][];
        for (var i = 0; i < first; i++)
        {
            outputs[i] = inputs[i + 1];
        }

        var x = inputs[first];
        for (var i = first; i < Layers.Count; i++)
        {
            x = outputs[i] = Forward(i, x, outputs, parameter);
        }

        return ReferenceOps.MeanCrossEntropy(x, labels);
    }

    private double[] Forward(int index, double[] x, double[][] outputs, Func<string, double[]> parameter)
    {
        var layer = Layers[index];
        var (input, name) = (layer.Input, layer.Spec.Name);
        var planes = _batch * input.Channels;
        var plane = input.Height * input.Width;
        return layer.Spec switch
        {
            ConvolutionSpec conv => Activated(conv.Relu, Biased(conv.Bias, name,
                ReferenceOps.Convolution(x, _batch, input.Channels, input.Height, input.Width, parameter($"{name}.weight"), conv.Filters, conv.Kernel, conv.Padding),
                conv.Filters, layer.Output.Height * layer.Output.Width, parameter)),
            DenseSpec dense => Activated(dense.Relu, Biased(true, name,
                ReferenceOps.MatrixProduct(x, parameter($"{name}.weight"), _batch, dense.Units, input.Count, false, true).Select(v => v * dense.Scale).ToArray(),
                dense.Units, 1, parameter)),
            BatchNormSpec norm => ReferenceOps.BatchNorm(x, _batch, input.Channels, plane, parameter($"{name}.weight"), parameter($"{name}.bias"), norm.Epsilon),
            ReluSpec => ReferenceOps.Relu(x),
            MaxPoolSpec pool => ReferenceOps.MaxPool(x, planes, input.Height, input.Width, pool.Window),
            GlobalAveragePoolSpec => ReferenceOps.GlobalAveragePool(x, planes, plane),
            DropoutSpec dropout => ReferenceOps.Dropout(x, dropout.Rate, dropoutSeeds[name]),
            FlattenSpec => x,
            ResidualAddSpec => x.Zip(outputs[layer.SkipFrom!.Value], (path, skip) => path + skip).ToArray(),
            var other => throw new NotSupportedException($"The reference network has no {other.GetType().Name}."),
        };
    }

    private double[] Biased(bool bias, string name, double[] y, int channels, int plane, Func<string, double[]> parameter) =>
        bias ? ReferenceOps.AddBias(y, _batch, channels, plane, parameter($"{name}.bias")) : y;

    private static double[] Activated(bool relu, double[] y) => relu ? ReferenceOps.Relu(y) : y;
}
