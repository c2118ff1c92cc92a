using System.Collections.Concurrent;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Runs the items of an op on up to <see cref="Threads"/> threads, handing each running thread
/// one of the pool's workspaces for its scratch memory.
/// <para>
/// Items are taken dynamically, so a thread that the OS deschedules (the cores are shared)
/// delays only the items it holds. Results never depend on which thread ran an item: items
/// write disjoint outputs, and reductions go through per-chunk partials whose number depends
/// only on <see cref="Threads"/>, summed in chunk order. With one thread everything runs inline.
/// </para>
/// <para>Threading: one op at a time; the pool's workspaces are shared by all ops.</para>
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly CpuWorkspace[] _all;
    private readonly ConcurrentStack<CpuWorkspace> _idle;
    private readonly ParallelOptions _options;

    public WorkerPool(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        _all = Enumerable.Range(0, threads).Select(_ => new CpuWorkspace()).ToArray();
        _idle = new ConcurrentStack<CpuWorkspace>(_all);
        _options = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }

    public int Threads => _all.Length;

    /// <summary>The workspace of the calling thread when it runs an op alone.</summary>
    public CpuWorkspace Main => _all[0];

    /// <summary>
    /// Runs body(item, workspace) for every item. Items are dealt in contiguous runs, four runs
    /// per thread: enough to balance threads the OS slows down, few enough that thousands of
    /// tiny items (one pooled plane each) do not pay a delegate call and a steal each.
    /// </summary>
    public void ForEach(int count, Action<int, CpuWorkspace> body)
    {
        if (Threads == 1 || count <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i, Main);
            }

            return;
        }

        var runs = Math.Min(count, 4 * Threads);
        Parallel.For(0, runs, _options, Rent, (run, _, workspace) =>
        {
            var (start, end) = Slice(count, runs, run);
            for (var i = start; i < end; i++)
            {
                body(i, workspace);
            }

            return workspace;
        }, Return);
    }

    public void ForEach(int count, Action<int> body) => ForEach(count, (i, _) => body(i));

    /// <summary>
    /// Splits [0, count) into ranges of at least <paramref name="minimumLength"/> (at most one
    /// item per run of <see cref="ForEach(int, Action{int, CpuWorkspace})"/>) and runs
    /// body(start, length) on each.
    /// </summary>
    public void ForRanges(int count, int minimumLength, Action<int, int> body)
    {
        var ranges = Math.Clamp(count / Math.Max(1, minimumLength), 1, 4 * Threads);
        ForEach(ranges, range =>
        {
            var (start, end) = Slice(count, ranges, range);
            body(start, end - start);
        });
    }

    /// <summary>Part <paramref name="part"/> of [0, count) cut into <paramref name="parts"/> contiguous ranges.</summary>
    public static (int Start, int End) Slice(int count, int parts, int part) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    public void Dispose()
    {
        foreach (var workspace in _all)
        {
            workspace.Dispose();
        }
    }

    private CpuWorkspace Rent() =>
        _idle.TryPop(out var workspace) ? workspace : throw new InvalidOperationException("More threads than workspaces: the pool was used by two ops at once.");

    private void Return(CpuWorkspace workspace) => _idle.Push(workspace);
}
