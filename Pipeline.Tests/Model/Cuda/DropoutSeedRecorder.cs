using CatsDogs.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>A backend that forwards every op to a real one and keeps the seed of each dropout mask drawn, in order: what a reference needs to drop the same elements.</summary>
internal sealed class DropoutSeedRecorder(IBackend inner) : ForwardingBackend(inner)
{
    private readonly List<ulong> _seeds = [];

    public IReadOnlyList<ulong> Seeds => _seeds;

    public override void DropoutForward(Tensor x, Tensor y, float rate, ulong seed)
    {
        _seeds.Add(seed);
        base.DropoutForward(x, y, rate, seed);
    }
}
