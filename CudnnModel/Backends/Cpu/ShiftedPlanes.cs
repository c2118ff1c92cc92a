using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// im2col and col2im for 'same' padding, one block copy per column row.
/// <para>
/// With 'same' padding a column row (c, ky, kx) is the channel plane shifted by
/// (ky - pad) rows and (kx - pad) columns. The rows that stay inside the image are therefore one
/// contiguous block of the plane; the only wrong elements in it are the few that wrap around
/// from the neighbouring image row, and they sit exactly in the padding columns, which are
/// zeroed. Copying row by row instead costs a call per 32-float segment and made im2col slower
/// than the GEMM it feeds.
/// </para>
/// </summary>
internal static class ShiftedPlanes
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Unfold(ConvolutionGeometry g, float* image, float* columns, int stride, int offset)
    {
        var (h, w, k) = (g.Height, g.Width, g.Kernel);
        var plane = h * w;
        for (var c = 0; c < g.Channels; c++)
        {
            for (var ky = 0; ky < k; ky++)
            {
                for (var kx = 0; kx < k; kx++)
                {
                    var target = new Span<float>(columns + (long)((c * k + ky) * k + kx) * stride + offset, plane);
                    var shift = new Shift(ky - g.Padding, kx - g.Padding, h, w);
                    if (shift.Length <= 0)
                    {
                        target.Clear();
                        continue;
                    }

                    target[..shift.Start].Clear();
                    target[(shift.Start + shift.Length)..].Clear();
                    new ReadOnlySpan<float>(image + (long)c * plane + shift.Source, shift.Length).CopyTo(target.Slice(shift.Start, shift.Length));
                    shift.ClearPaddingColumns(target);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void FoldAdd(ConvolutionGeometry g, float* columns, int stride, int offset, float* image)
    {
        var (h, w, k) = (g.Height, g.Width, g.Kernel);
        var plane = h * w;
        for (var c = 0; c < g.Channels; c++)
        {
            for (var ky = 0; ky < k; ky++)
            {
                for (var kx = 0; kx < k; kx++)
                {
                    var shift = new Shift(ky - g.Padding, kx - g.Padding, h, w);
                    if (shift.Length <= 0)
                    {
                        continue;
                    }

                    // Padding entries would land on wrapped positions: make them add nothing.
                    var row = new Span<float>(columns + (long)((c * k + ky) * k + kx) * stride + offset, plane);
                    shift.ClearPaddingColumns(row);
                    var target = new Span<float>(image + (long)c * plane + shift.Source, shift.Length);
                    TensorPrimitives.Add(target, row.Slice(shift.Start, shift.Length), target);
                }
            }
        }
    }

    /// <summary>
    /// Where a plane shifted by (dy, dx) lands: output positions [Start, Start + Length) read
    /// plane positions [Source, Source + Length). The block covers the output rows whose input
    /// row exists, trimmed by one element at an end where it would leave the plane (that element
    /// is a padding column anyway).
    /// </summary>
    private readonly ref struct Shift
    {
        private readonly int _dx;
        private readonly int _width;
        private readonly int _firstRow;
        private readonly int _endRow;

        public Shift(int dy, int dx, int height, int width)
        {
            (_dx, _width) = (dx, width);
            (_firstRow, _endRow) = (Math.Max(0, -dy), Math.Min(height, height - dy));
            var start = _firstRow * width;
            var length = (_endRow - _firstRow) * width;
            var source = (_firstRow + dy) * width + dx;
            var head = Math.Max(0, -source);
            var tail = Math.Max(0, source + length - height * width);
            (Start, Source, Length) = (start + head, source + head, length - head - tail);
        }

        public int Start { get; }

        public int Source { get; }

        public int Length { get; }

        /// <summary>Zeroes, in each valid output row, the columns that read left or right of the image.</summary>
        public void ClearPaddingColumns(Span<float> row)
        {
            if (_dx == 0)
            {
                return;
            }

            var count = Math.Min(Math.Abs(_dx), _width);
            var column = _dx < 0 ? 0 : _width - count;
            for (var y = _firstRow; y < _endRow; y++)
            {
                row.Slice(y * _width + column, count).Clear();
            }
        }
    }
}
