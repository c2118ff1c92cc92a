using System.Runtime.InteropServices;
using CatsDogs.Model.Memory;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Data;
using CatsDogs.Tests.Dataflow;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Export;

/// <summary>
/// Real JPEGs of several sizes and aspect ratios, each with its own noise, cats and dogs alternating, decoded and fitted by the input
/// pipeline (an inference pass) into one batch, copied into pinned arrays: the exact uint8 NHWC bytes a backend
/// or an exported model is given.
/// </summary>
internal sealed class DecodedImages
{
    private readonly byte[] _pixels;
    private readonly float[] _labels;

    private DecodedImages(byte[] pixels, float[] labels, int count, int size) => (_pixels, _labels, Count, Size) = (pixels, labels, count, size);

    public int Count { get; }

    public int Size { get; }

    public byte[] Pixels => _pixels;

    public static async Task<DecodedImages> DecodeAsync(int count, int size)
    {
        using var folder = new TempFolder();
        for (var i = 0; i < count; i++)
        {
            folder.Write($"{(i % 2 == 0 ? "cat" : "dog")}/{i:D3}.jpg", Images.NoisyJpeg(24 + i % 5 * 23, 20 + i % 3 * 31, seed: i));
        }

        using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { BatchSize = count, ImageSize = size, DecodeThreads = 1 });
        var pixels = GC.AllocateArray<byte>(count * size * size * HostImageBatch.Channels, pinned: true);
        var labels = GC.AllocateArray<float>(count, pinned: true);
        var rows = 0;
        await foreach (var batch in pipeline.ReadAsync(new ImageSource(DatasetIndex.Scan(folder.Path, requireLabels: true)), PassKind.Inference, 0, CancellationToken.None))
        {
            using (batch)
            {
                batch.View.PixelSpan.CopyTo(pixels.AsSpan(rows * batch.ImageBytes));
                batch.View.LabelSpan.CopyTo(labels.AsSpan(rows));
                rows += batch.Count;
            }
        }

        Assert.Equal(count, rows);
        return new DecodedImages(pixels, labels, count, size);
    }

    /// <summary>Images <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> as a batch.</summary>
    public HostImageBatch Batch(int start, int count) => new(
        Marshal.UnsafeAddrOfPinnedArrayElement(_pixels, start * Size * Size * HostImageBatch.Channels),
        Marshal.UnsafeAddrOfPinnedArrayElement(_labels, start), count, Size, Size);
}
