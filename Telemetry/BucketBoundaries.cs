namespace CatsDogs.Telemetry;

/// <summary>
/// Explicit histogram buckets in seconds. The exporter's defaults (0, 5, 10, 25, ... 10000) assume
/// milliseconds and would put every step of a training run in the first two buckets.
/// </summary>
internal static class BucketBoundaries
{
    /// <summary>
    /// 1 ms to 10 s at 1, 1.5, 2, 3, 5 and 7 per decade: each bound at most 5/3 (about 1.67x, 3 to 5) the
    /// one before, so p50/p95/p99 interpolate within narrow buckets.
    /// </summary>
    public static readonly double[] TrainingStepSeconds = Decades(0.001, 4);

    /// <summary>100 us (one image into a warm pinned buffer) to 10 s (a starved decode stage).</summary>
    public static readonly double[] BatchAssemblySeconds = Decades(0.0001, 5);

    /// <summary><paramref name="decades"/> decades from <paramref name="first"/> at 1, 1.5, 2, 3, 5 and 7 each, then the closing bound.</summary>
    private static double[] Decades(double first, int decades)
    {
        ReadOnlySpan<double> mantissas = [1, 1.5, 2, 3, 5, 7];
        var bounds = new List<double>(decades * mantissas.Length + 1);
        double scale = first;
        for (int d = 0; d < decades; d++, scale *= 10)
        {
            foreach (var m in mantissas)
            {
                // Round away the binary noise of repeated *10 so the exported le labels read 0.003, not 0.0030000000000000005.
                bounds.Add(Math.Round(m * scale, 12));
            }
        }

        bounds.Add(Math.Round(scale, 12));
        return [.. bounds];
    }
}
