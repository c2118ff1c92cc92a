using CatsDogs.Model.Checkpoints;

namespace CatsDogs.Model.Export;

/// <summary>
/// The safetensors form: the inference tensors under their checkpoint names and shapes (convolution weights
/// [filters, channels, kernel, kernel], dense [units, inputs], vectors [channels]), without the optimizer's
/// state, and in __metadata__ what they expect (<see cref="ExportMetadata"/>).
/// </summary>
internal static class WeightsExport
{
    public static byte[] Serialize(TrainedModel model)
    {
        var metadata = new Dictionary<string, string>(ExportMetadata.Of(model), StringComparer.Ordinal)
        {
            ["format"] = "catsdogs-inference",
        };
        return SafeTensors.Serialize(model.Weights, metadata);
    }
}
