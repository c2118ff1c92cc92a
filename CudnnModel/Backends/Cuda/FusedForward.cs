namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// Where a convolution plan stands with cuDNN's fused conv+bias+ReLU. Its first call decides: a
/// plan whose fusion has run once treats a later failure as an error, one whose first call failed
/// in any way runs unfused from then on.
/// </summary>
internal enum FusedForward
{
    Untried,
    Works,
    Declined,
}
