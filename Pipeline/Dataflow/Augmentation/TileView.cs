using CatsDogs.Model.Memory;

namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// One way test-time augmentation shows the network a square RGB tile: mirrored left to right or not, then shifted
/// by whole pixels (positive: right and down), the edge pixels repeated into the gap as the training's translation
/// fills it.
/// </summary>
internal readonly record struct TileView(bool Mirror, int ShiftX = 0, int ShiftY = 0)
{
    public static TileView Identity => new(false);

    /// <summary>Writes this view of <paramref name="source"/> into <paramref name="tile"/>, both <paramref name="side"/>² pixels; they must not overlap.</summary>
    public void Render(ReadOnlySpan<byte> source, Span<byte> tile, int side)
    {
        const int pixel = HostImageBatch.Channels;
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, side * side * pixel);
        ArgumentOutOfRangeException.ThrowIfLessThan(tile.Length, side * side * pixel);
        for (var y = 0; y < side; y++)
        {
            var sourceRow = source.Slice(Math.Clamp(y - ShiftY, 0, side - 1) * side * pixel, side * pixel);
            var tileRow = tile.Slice(y * side * pixel, side * pixel);
            for (var x = 0; x < side; x++)
            {
                var column = Math.Clamp(x - ShiftX, 0, side - 1);
                column = Mirror ? side - 1 - column : column;
                sourceRow.Slice(column * pixel, pixel).CopyTo(tileRow.Slice(x * pixel, pixel));
            }
        }
    }
}
