namespace CatsDogs.Telemetry;

/// <summary>The stages of the input pipeline, in the order an image passes them.</summary>
public enum PipelineStage
{
    Read,
    Decode,
    Augment,
    Batch,
}
