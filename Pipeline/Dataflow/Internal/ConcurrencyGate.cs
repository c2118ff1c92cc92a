namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// How many tasks may be in one step at a time, a limit that can change while they run: what lets
/// a retune take effect in the middle of a pass. A dataflow block's parallelism is fixed when the
/// block is made, and a semaphore's count cannot be lowered below what is held, so the workers ask
/// this gate instead. Waiters are let in first come, first served, so that chunks keep the feed's
/// order through every step and the ordered block never waits long on an early chunk.
/// Thread-safe; entering without waiting allocates nothing.
/// </summary>
internal sealed class ConcurrencyGate(int limit)
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiting = new();
    private int _limit = Positive(limit);
    private int _held;

    /// <summary>
    /// Tasks allowed in at once. Raising it lets waiters in at once; lowering it lets none in until
    /// enough have left, and takes no one out.
    /// </summary>
    public int Limit
    {
        get
        {
            lock (_lock)
            {
                return _limit;
            }
        }

        set
        {
            lock (_lock)
            {
                _limit = Positive(value);
                LetIn();
            }
        }
    }

    /// <summary>Tasks in the step now.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    public ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_held < _limit && _waiting.Count == 0)
            {
                _held++;
                return ValueTask.CompletedTask;
            }

            // Continuations run elsewhere: not under this lock, nor on the thread that leaves the step.
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(waiter);
        }

        return new ValueTask(WaitAsync(waiter, cancellationToken));
    }

    /// <summary>Leaves the step, letting the next waiter in if the limit allows.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            if (_held == 0)
            {
                throw new InvalidOperationException("A task left a step it had not entered.");
            }

            _held--;
            LetIn();
        }
    }

    private static async Task WaitAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
    {
        // A cancelled waiter stays queued until its turn, when LetIn finds it done and passes it over.
        await using var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
        await waiter.Task.ConfigureAwait(false);
    }

    private void LetIn()
    {
        while (_held < _limit && _waiting.TryDequeue(out var next))
        {
            if (next.TrySetResult())
            {
                _held++;
            }
        }
    }

    private static int Positive(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        return value;
    }
}
