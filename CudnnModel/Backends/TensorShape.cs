namespace CatsDogs.Model.Backends;

/// <summary>
/// The NCHW shape of a float32 tensor. Matrices used by dense layers are [N, features, 1, 1],
/// so one shape type serves every op and a backend never has to guess a layout.
/// </summary>
internal readonly record struct TensorShape
{
    public TensorShape(int n, int c, int h = 1, int w = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(w);
        if ((long)n * c * h * w > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"A tensor of {n}x{c}x{h}x{w} floats is larger than one buffer can index.");
        }

        (N, C, H, W) = (n, c, h, w);
    }

    public int N { get; }

    public int C { get; }

    public int H { get; }

    public int W { get; }

    public int Count => N * C * H * W;

    /// <summary>Elements per batch item: the column count when the tensor is read as a matrix.</summary>
    public int ItemSize => C * H * W;

    public int Plane => H * W;

    /// <summary>The output of a non-overlapping <paramref name="window"/> x <paramref name="window"/> pooling of this shape.</summary>
    public TensorShape Pooled(int window) => new(N, C, H / window, W / window);

    public override string ToString() => $"[{N}, {C}, {H}, {W}]";
}
