using System.Globalization;
using System.Text;

namespace CatsDogs.Model.Specs;

/// <summary>Renders the Keras-style summary table of a model at an image size.</summary>
public static class ModelSummary
{
    private const int NameWidth = 29;
    private const int ShapeWidth = 26;
    private const int Width = 65;

    public static string Render(ModelSpec spec, int height, int width)
    {
        var layers = spec.Describe(height, width);
        var text = new StringBuilder();
        text.AppendLine($"Model: \"{spec.Name}\"  (input {height}x{width}x{ModelSpec.InputChannels})");
        text.AppendLine(new string('_', Width));
        text.AppendLine(Row("Layer (type)", "Output Shape", "Param #"));
        text.AppendLine(new string('=', Width));
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            // Keras lists what an Add is connected to; here it is the layer skipped back to, the other input being the row above.
            // A scaled dense layer says so, since its weights alone do not give its output.
            var type = layer.Spec switch
            {
                ResidualAddSpec residual => $"{layer.Spec.KerasType} + {residual.From}",
                DenseSpec { Scale: not 1f } dense => string.Create(CultureInfo.InvariantCulture, $"{layer.Spec.KerasType} x{dense.Scale}"),
                _ => layer.Spec.KerasType,
            };
            text.AppendLine(Row($"{layer.Spec.Name} ({type})", layer.Output.ToKerasString(),
                Count(layer.TrainableParameters + layer.NonTrainableParameters)));
            text.AppendLine(i == layers.Count - 1 ? new string('=', Width) : string.Empty);
        }

        var trainable = layers.Sum(layer => layer.TrainableParameters);
        var frozen = layers.Sum(layer => layer.NonTrainableParameters);
        text.AppendLine($"Total params: {Count(trainable + frozen)}");
        text.AppendLine($"Trainable params: {Count(trainable)}");
        text.AppendLine($"Non-trainable params: {Count(frozen)}");
        text.AppendLine(new string('_', Width));
        return text.ToString();
    }

    private static string Row(string name, string shape, string parameters) =>
        $" {name.PadRight(NameWidth - 1)} {shape.PadRight(ShapeWidth - 1)} {parameters}".TrimEnd();

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
