using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// cuDNN tensor descriptors by shape, made once and kept: a network uses a few dozen shapes, and
/// creating descriptors per op would cost host time on every step. Not thread-safe (the backend is one-caller).
/// </summary>
internal sealed class TensorDescriptors : IDisposable
{
    private readonly Dictionary<TensorShape, TensorDescriptor> _byShape = [];

    public TensorDescriptor For(TensorShape shape)
    {
        if (!_byShape.TryGetValue(shape, out var descriptor))
        {
            descriptor = TensorDescriptor.Create(shape.N, shape.C, shape.H, shape.W);
            _byShape[shape] = descriptor;
        }

        return descriptor;
    }

    /// <summary>A per-channel vector ([C, 1, 1, 1] in the network's convention) as cuDNN wants it: 1 x C x 1 x 1.</summary>
    public TensorDescriptor ForChannels(int channels) => For(new TensorShape(1, channels));

    public void Dispose()
    {
        foreach (var descriptor in _byShape.Values)
        {
            descriptor.Dispose();
        }

        _byShape.Clear();
    }
}
