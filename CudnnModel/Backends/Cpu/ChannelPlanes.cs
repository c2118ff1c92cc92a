namespace CatsDogs.Model.Backends.Cpu;

/// <summary>The values of one channel of an NCHW tensor: one plane per batch item, a channel's stride apart.</summary>
internal readonly ref struct ChannelPlanes
{
    private readonly Span<float> _data;

    public ChannelPlanes(Span<float> data, TensorShape shape, int channel)
    {
        _data = data;
        Batch = shape.N;
        Plane = shape.Plane;
        Stride = shape.ItemSize;
        Offset = channel * shape.Plane;
    }

    public int Batch { get; }

    public int Plane { get; }

    private int Stride { get; }

    private int Offset { get; }

    public int Count => Batch * Plane;

    public Span<float> this[int n] => _data.Slice(n * Stride + Offset, Plane);
}
