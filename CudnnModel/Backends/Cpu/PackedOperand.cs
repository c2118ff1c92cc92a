namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// op(A) times alpha, packed by <see cref="Sgemm.Pack"/> once for several products that share it: a convolution's
/// filters over its groups of images, which would otherwise be packed again for every group. Each depth block of
/// <see cref="Sgemm"/> holds all row panels in order, so a block starts at its first depth index times the padded
/// row count, and a panel at its first row times the block's depth; a strip of rows sees it through <see cref="FromRow"/>.
/// </summary>
internal readonly unsafe struct PackedOperand(float* data, int paddedRows, int firstRow = 0)
{
    public bool IsEmpty => data == null;

    /// <summary>The same packing seen from row <paramref name="row"/> on, a multiple of the panel height.</summary>
    public PackedOperand FromRow(int row) => IsEmpty ? this : new PackedOperand(data, paddedRows, firstRow + row);

    /// <summary>The panels from row <paramref name="ic"/> on, in the depth block that starts at <paramref name="pc"/> and is <paramref name="kc"/> deep.</summary>
    public float* Block(int pc, int ic, int kc) => data + (long)pc * paddedRows + (long)(firstRow + ic) * kc;
}
