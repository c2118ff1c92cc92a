using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Dataflow.Batching;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Keeps the last batch given to the network until the next step has returned: a device backend
/// uploads it asynchronously, so its buffer goes back to the pool only once the network says the
/// upload is done (see <see cref="Network"/>'s batch memory contract). The pool's
/// <c>ConsumerHeld = 2</c> budgets for this one plus the one being stepped.
/// </summary>
internal sealed class HeldBatch(Network network) : IDisposable
{
    private BatchBuffer? _held;

    /// <summary>Call after a step on <paramref name="batch"/> returned (or threw): the batch held before it is free now.</summary>
    public void Replace(BatchBuffer batch)
    {
        _held?.Dispose();
        _held = batch;
    }

    /// <summary>Waits for the last upload, then returns the held batch.</summary>
    public void Dispose()
    {
        try
        {
            network.WaitForUploads();
        }
        finally
        {
            _held?.Dispose();
            _held = null;
        }
    }
}
