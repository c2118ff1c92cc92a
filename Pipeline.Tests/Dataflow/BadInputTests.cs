using System.Globalization;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Dataflow;

public sealed class BadInputTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public BadInputTests() => BadImages.WriteTo(_folder);

    /// <summary>The decoders by name: xunit's theories take public types only.</summary>
    public static TheoryData<string> Decoders => [nameof(DecoderChoice.TurboJpeg), nameof(DecoderChoice.Skia)];

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task Bad_files_are_counted_by_reason_logged_once_and_never_stall_the_graph(string decoder)
    {
        var log = new StringWriter();
        var index = DatasetIndex.Scan(_folder.Path, requireLabels: true);
        using var pipeline = PipelineHarness.Pipeline(
            new InputPipelineOptions { DecodeThreads = 2, BatchSize = 4, ImageSize = 32, MaxPixels = BadImages.MaxPixels, Decoder = Enum.Parse<DecoderChoice>(decoder) }, log);
        var source = new ImageSource(index);

        var delivered = new List<string>();
        for (var epoch = 0; epoch < 2; epoch++)
        {
            foreach (var batch in await PipelineHarness.RowsOfEachBatch(pipeline, source, PassKind.Training, epoch))
            {
                delivered.AddRange(batch.Select(i => source.Entries[i].RelativePath));
            }
        }

        Assert.Equal(BadImages.Decodable.Concat(BadImages.Decodable).Order(), delivered.Order());
        foreach (var (path, reason) in BadImages.Skipped)
        {
            Assert.Equal(2, pipeline.BadInput.Count(reason));
            Assert.Single(log.ToString().Split('\n'), line => line.StartsWith($"skipped {path}: {reason.Describe()}", StringComparison.Ordinal));
        }

        Assert.Equal(2 * BadImages.Skipped.Count, pipeline.BadInput.Total);
        // Megapixels count decoded images only: the huge file's claimed 60000x60000 would outweigh them all.
        Assert.Equal(2 * BadImages.DecodablePixels, pipeline.DecodeStage.Pixels);
        Assert.Equal(BadImages.Skipped.OrderBy(p => p.Key, StringComparer.Ordinal), pipeline.BadInput.Files);
        Assert.StartsWith($"Skipped {2 * BadImages.Skipped.Count} images ({BadImages.Skipped.Count} distinct files): ", pipeline.BadInput.Summary());
    }

    [Theory]
    [MemberData(nameof(Decoders))]
    public async Task Odd_but_valid_files_decode_to_their_colours(string decoder)
    {
        var index = DatasetIndex.Scan(_folder.Path, requireLabels: true);
        var source = new ImageSource(index);
        using var pipeline = PipelineHarness.Pipeline(new InputPipelineOptions { BatchSize = 16, ImageSize = 16, Decoder = Enum.Parse<DecoderChoice>(decoder) });

        await foreach (var batch in pipeline.ReadAsync(source, PassKind.Inference, 0, CancellationToken.None))
        {
            using (batch)
            {
                for (var row = 0; row < batch.Count; row++)
                {
                    var pixels = batch.Image(row);
                    switch (source.Entries[batch.ImageIndices[row]].RelativePath)
                    {
                        case "cat/gray.jpg":
                            Assert.True(pixels[0] == pixels[1] && pixels[1] == pixels[2], "Grey stays grey.");
                            break;
                        case "dog/gif.jpg":
                            Assert.All(pixels.ToArray(), p => Assert.Equal(255, p));
                            break;
                        case "cat/cmyk.jpg":
                            var rgb = CmykAsRgb();
                            Assert.All(pixels.ToArray().Chunk(3).Select(c => (R: c[0], G: c[1], B: c[2])).Distinct(), colour => Assert.True(
                                Math.Abs(colour.R - rgb[0]) <= CmykTolerance && Math.Abs(colour.G - rgb[1]) <= CmykTolerance && Math.Abs(colour.B - rgb[2]) <= CmykTolerance,
                                $"decoded {colour}, expected ({string.Join(", ", rgb.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}) within {CmykTolerance}"));
                            break;
                    }
                }
            }
        }
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Levels (of 255) a decoded channel may be from the exact colour: half a level for rounding it to a byte, and half
    /// a level for any rounding of the decoder's or the resampling's (every 8x8 block is flat, so there should be none).
    /// </summary>
    private const double CmykTolerance = 1;

    /// <summary>
    /// cat/cmyk.jpg's colour, worked out from the values its file stores. Adobe's CMYK JPEGs store each ink inverted,
    /// so the inks are C = 1 - c/255 and K = 1 - k/255, and red, the light cyan and black let through, is
    /// 255 (1 - C)(1 - K) = c k / 255; green and blue likewise from magenta and yellow.
    /// </summary>
    private static double[] CmykAsRgb()
    {
        var (c, m, y, k) = BadImages.CmykStored;
        return [c * k / 255.0, m * k / 255.0, y * k / 255.0];
    }
}
