namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// One row of a backend comparison: the worst relative error over an op's outputs and the
/// shapes it ran at, which is the largest element-wise difference divided by the largest
/// reference magnitude (so it does not blow up where the true value is near zero), and the
/// shape where it was met.
/// </summary>
public sealed record OpComparison(string Op, double WorstRelativeError, double Threshold, string WorstShape)
{
    /// <summary>NaN never passes.</summary>
    public bool Passed => WorstRelativeError <= Threshold;
}
