namespace CatsDogs.Model.Backends;

/// <summary>
/// An opaque float32 NCHW buffer owned by one backend. The network only passes these back to
/// the backend that made them; it never reads their memory, so a device backend can keep
/// them on the GPU.
/// </summary>
internal abstract class Tensor : IDisposable
{
    protected Tensor(TensorShape shape) => Shape = shape;

    public TensorShape Shape { get; }

    public virtual void Dispose()
    {
    }
}
