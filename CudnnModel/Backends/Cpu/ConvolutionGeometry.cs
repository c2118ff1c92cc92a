using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// Unfolds one C x H x W image into the columns of a (C * k * k) x (Ho * Wo) matrix so that a
/// stride-1 convolution becomes one GEMM, and folds gradients of those columns back (col2im).
/// Rows are ordered (channel, ky, kx) to match the [Cout, Cin, k, k] weight layout.
/// </summary>
internal readonly record struct ConvolutionGeometry(int Channels, int Height, int Width, int Kernel, int Padding)
{
    public int OutputHeight => Height + 2 * Padding - Kernel + 1;

    public int OutputWidth => Width + 2 * Padding - Kernel + 1;

    public int OutputPlane => OutputHeight * OutputWidth;

    public int ColumnRows => Channels * Kernel * Kernel;

    /// <summary>'Same' padding: the output has the input's size, so each column row is the plane shifted.</summary>
    public bool KeepsSize => OutputHeight == Height && OutputWidth == Width;

    /// <summary>The valid output columns [first, end) for kernel offset kx: those that read inside the image.</summary>
    public (int First, int End) ValidColumns(int kx) =>
        (Math.Max(0, Padding - kx), Math.Min(OutputWidth, Width + Padding - kx));

    /// <summary>
    /// Writes the columns of <paramref name="image"/> into <paramref name="columns"/> starting at
    /// column <paramref name="offset"/> of a matrix whose rows are <paramref name="stride"/> long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Unfold(float* image, float* columns, int stride, int offset)
    {
        if (KeepsSize)
        {
            ShiftedPlanes.Unfold(this, image, columns, stride, offset);
            return;
        }

        Walk(image, columns, stride, offset, unfold: true);
    }

    /// <summary>
    /// Adds the column gradients back into <paramref name="image"/> (which the caller clears
    /// first). The columns are scratch: entries that read padding may be overwritten with 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void FoldAdd(float* columns, int stride, int offset, float* image)
    {
        if (KeepsSize)
        {
            ShiftedPlanes.FoldAdd(this, columns, stride, offset, image);
            return;
        }

        Walk(image, columns, stride, offset, unfold: false);
    }

    /// <summary>
    /// The general im2col (<paramref name="unfold"/>) or col2im, one output row segment at a
    /// time; only 'valid' padding comes here, 'same' padding takes <see cref="ShiftedPlanes"/>.
    /// </summary>
    private unsafe void Walk(float* image, float* columns, int stride, int offset, bool unfold)
    {
        var (ho, wo) = (OutputHeight, OutputWidth);
        for (var c = 0; c < Channels; c++)
        {
            for (var ky = 0; ky < Kernel; ky++)
            {
                for (var kx = 0; kx < Kernel; kx++)
                {
                    var row = columns + (long)((c * Kernel + ky) * Kernel + kx) * stride + offset;
                    var (first, end) = ValidColumns(kx);
                    for (var oy = 0; oy < ho; oy++)
                    {
                        var segment = new Span<float>(row + oy * wo, wo);
                        var iy = oy + ky - Padding;
                        var inside = iy >= 0 && iy < Height && first < end;
                        if (!inside)
                        {
                            if (unfold)
                            {
                                segment.Clear();
                            }

                            continue;
                        }

                        var pixels = new Span<float>(image + ((long)c * Height + iy) * Width + first + kx - Padding, end - first);
                        if (unfold)
                        {
                            segment[..first].Clear();
                            pixels.CopyTo(segment[first..end]);
                            segment[end..].Clear();
                        }
                        else
                        {
                            TensorPrimitives.Add(pixels, segment[first..end], pixels);
                        }
                    }
                }
            }
        }
    }
}
