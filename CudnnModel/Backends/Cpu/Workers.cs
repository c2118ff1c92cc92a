namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Static partitioning of work over a fixed number of numbered workers. Which worker gets which
/// item depends only on the counts, never on timing, so results are reproducible for a given
/// thread count; with one thread everything runs inline on the caller.
/// </summary>
internal static class Workers
{
    /// <summary>Runs <paramref name="body"/>(worker) for worker = 0 .. workers - 1, in parallel.</summary>
    public static void Run(int workers, Action<int> body)
    {
        if (workers <= 1)
        {
            body(0);
            return;
        }

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, body);
    }

    /// <summary>Splits [0, count) into contiguous ranges, one per worker, and runs them in parallel.</summary>
    /// <remarks>body receives (worker, start, end).</remarks>
    public static void ForRange(int count, int workers, Action<int, int, int> body)
    {
        var used = Math.Max(1, Math.Min(workers, count));
        Run(used, worker =>
        {
            var (start, end) = Slice(count, used, worker);
            if (start < end)
            {
                body(worker, start, end);
            }
        });
    }

    /// <summary>Runs body(item) for every item, items dealt to workers in contiguous ranges.</summary>
    public static void ForEach(int count, int workers, Action<int> body) =>
        ForRange(count, workers, (_, start, end) =>
        {
            for (var i = start; i < end; i++)
            {
                body(i);
            }
        });

    public static (int Start, int End) Slice(int count, int parts, int part) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));
}
