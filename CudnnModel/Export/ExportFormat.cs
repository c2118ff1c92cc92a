namespace CatsDogs.Model.Export;

/// <summary>The forms `catsdogs export` writes a trained network in.</summary>
public enum ExportFormat
{
    /// <summary>An ONNX inference graph that takes the pipeline's uint8 batches and gives P(dog).</summary>
    Onnx,

    /// <summary>The inference weights alone (no optimizer state), with what they expect in the metadata.</summary>
    Safetensors,
}
