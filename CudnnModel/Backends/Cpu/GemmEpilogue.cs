namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// What <see cref="Sgemm"/> applies to each finished tile of C: a bias per row (a convolution's
/// output channel) and a ReLU. Done while the tile is in registers, it saves two passes over
/// the output. <see cref="None"/> leaves the product as it is.
/// </summary>
internal readonly unsafe struct GemmEpilogue(float* rowBias, bool relu)
{
    public static GemmEpilogue None => default;

    /// <summary>One bias per row of C, or null for none.</summary>
    public float* RowBias { get; } = rowBias;

    public bool Relu { get; } = relu;

    /// <summary>The same epilogue for the rows from <paramref name="row"/> on.</summary>
    public GemmEpilogue FromRow(int row) => RowBias == null ? this : new GemmEpilogue(RowBias + row, Relu);
}
