namespace CatsDogs.Pipeline.Dataflow;

internal enum PassKind
{
    /// <summary>Shuffled from the seed and epoch, augmented.</summary>
    Training,

    /// <summary>In data set order, not augmented: validation, evaluation, prediction.</summary>
    Inference,
}
