namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// One row of a backend comparison: the worst relative error over an op's outputs, which is the
/// largest element-wise difference divided by the largest reference magnitude (so it does not
/// blow up where the true value is near zero).
/// </summary>
public sealed record OpComparison(string Op, double WorstRelativeError, double Threshold)
{
    /// <summary>NaN never passes.</summary>
    public bool Passed => WorstRelativeError <= Threshold;
}
