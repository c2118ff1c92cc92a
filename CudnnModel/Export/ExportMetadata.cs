using System.Globalization;
using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Export;

/// <summary>
/// What an exported file says about itself, the same in both forms (the ONNX model's metadata_props and the
/// safetensors header's __metadata__): the preset and checkpoint, the input it expects and what its output means.
/// </summary>
internal static class ExportMetadata
{
    public const string InputName = "image";

    public const string OutputName = "p_dog";

    /// <summary>The class each label value stands for, as the pipeline's batches carry them.</summary>
    public const string LabelMap = """{"0": "cat", "1": "dog"}""";

    public static IReadOnlyList<KeyValuePair<string, string>> Of(TrainedModel model)
    {
        var (height, width) = (Number(model.ImageHeight), Number(model.ImageWidth));
        return
        [
            new("model", model.Spec.Name),
            new("checkpoint_epoch", Number(model.Epoch)),
            new("checkpoint_step", Number(model.Step)),
            new("image_height", height),
            new("image_width", width),
            new("input", $"{InputName}: uint8 [N, {height}, {width}, 3], RGB, each image's rows top to bottom (NHWC), as the pipeline's batches"),
            new("pixel_scale", HostImageBatch.PixelScale.ToString("R", CultureInfo.InvariantCulture)),
            new("scaling", "float32(pixel) * pixel_scale (1/255), giving [0, 1]; no mean or standard deviation is subtracted"),
            new("network_layout", "NCHW: the channels are moved before the rows after scaling"),
            new("output", $"{OutputName}: float32 [N], P(dog) = sigmoid(the network's one logit)"),
            new("labels", LabelMap),
        ];
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
