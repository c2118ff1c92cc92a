namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// Gathers a comparison's errors, op by op over the shapes each op runs at, into one row per op:
/// the worst error (NaN is worse than any number) and the shape it was met at. Rows keep the
/// order in which their ops first ran.
/// </summary>
internal sealed class WorstErrors(double threshold)
{
    private readonly List<OpComparison> _rows = [];

    public IReadOnlyList<OpComparison> Rows => _rows;

    public void Add(string op, string shape, double error)
    {
        var index = _rows.FindIndex(row => row.Op == op);
        if (index < 0)
        {
            _rows.Add(new OpComparison(op, error, threshold, shape));
        }
        else if (IsWorse(error, _rows[index].WorstRelativeError))
        {
            _rows[index] = new OpComparison(op, error, threshold, shape);
        }
    }

    private static bool IsWorse(double error, double worst) => double.IsNaN(error) ? !double.IsNaN(worst) : error > worst;
}
