using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;
using CatsDogs.Pipeline.Dataflow.Internal;
using CatsDogs.Tests.Fixtures;
using SkiaSharp;

namespace CatsDogs.Tests.Dataflow.Decoding;

public sealed class TurboJpegDecoderTests
{
    private const long NoLimit = long.MaxValue;

    /// <summary>Skia, counting the images handed to it.</summary>
    private sealed class CountingSkia : IImageDecoder
    {
        private readonly SkiaImageDecoder _skia = new();

        public int Calls { get; private set; }

        public string Name => _skia.Name;

        public string Version => _skia.Version;

        public bool Decode(ImageJob job, int minSide, long maxPixels)
        {
            Calls++;
            return _skia.Decode(job, minSide, maxPixels);
        }

        public void Dispose() => _skia.Dispose();
    }

    private static TurboJpegDecoder Create(out CountingSkia others)
    {
        Assert.True(TurboJpegLibrary.Shared.Loaded, $"the test dependencies install libturbojpeg0: {TurboJpegLibrary.Shared.Reason}");
        others = new CountingSkia();
        return new TurboJpegDecoder(others, TurboJpegLibrary.Shared.File!);
    }

    private static ImageJob Job(byte[] encoded)
    {
        var job = new ImageJob(tileBytes: 0);
        job.Encoded.EnsureCapacity(encoded.Length);
        encoded.CopyTo(job.Encoded.Span(encoded.Length));
        job.EncodedLength = encoded.Length;
        return job;
    }

    private static byte[] Pixels(ImageJob job) => job.Decoded.Span(job.DecodedWidth * job.DecodedHeight * 4).ToArray();

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 32, 32, 64 },   // smaller than the target: full size
        { 402, 363, 64 }, // Kaggle-sized: a quarter
        { 499, 362, 64 }, // odd sides round up: 125x91
        { 130, 70, 64 },  // only full size keeps the short side
        { 300, 300, 16 }, // an eighth
        { 33, 17, 8 },    // an eighth of odd sides
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Decodes_jpegs_itself_at_the_scale_and_colours_skia_gives(int width, int height, int minSide)
    {
        using var decoder = Create(out var others);
        var jpeg = Images.Jpeg(width, height, seed: width + height);
        using var ours = Job(jpeg);
        using var skia = Job(jpeg);

        Assert.True(decoder.Decode(ours, minSide, NoLimit));
        Assert.True(new SkiaImageDecoder().Decode(skia, minSide, NoLimit));

        Assert.Equal(0, others.Calls);
        Assert.Equal((width, height), (ours.SourceWidth, ours.SourceHeight));
        Assert.Equal((skia.DecodedWidth, skia.DecodedHeight), (ours.DecodedWidth, ours.DecodedHeight));
        Assert.Equal(TurboJpegDecoder.ScaledSize(width, height, minSide), (ours.DecodedWidth, ours.DecodedHeight));
        // Both are libjpeg-turbo with the same DCT and upsampling; only SIMD rounding may differ.
        var difference = Pixels(ours).Zip(Pixels(skia), (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(difference, 0, 2);
    }

    [Fact]
    public void Grey_and_cmyk_jpegs_decode_to_what_skia_makes_of_them()
    {
        using var decoder = Create(out var others);
        foreach (var jpeg in new[] { Images.GrayJpeg(40, 30), CmykJpeg.Create(32, 24, 40, 200, 90, 250) })
        {
            using var ours = Job(jpeg);
            using var skia = Job(jpeg);
            Assert.True(decoder.Decode(ours, 8, NoLimit));
            Assert.True(new SkiaImageDecoder().Decode(skia, 8, NoLimit));
            Assert.Equal((skia.DecodedWidth, skia.DecodedHeight), (ours.DecodedWidth, ours.DecodedHeight));
            Assert.InRange(Pixels(ours).Zip(Pixels(skia), (a, b) => Math.Abs(a - b)).Max(), 0, 1);
        }

        Assert.Equal(0, others.Calls);
    }

    [Fact]
    public void A_header_over_the_pixel_limit_is_refused_before_decoding()
    {
        using var decoder = Create(out var others);
        using var job = Job(Images.JpegClaimingSize(60000, 60000));

        Assert.False(decoder.Decode(job, 64, BadImages.MaxPixels));

        Assert.Equal((SkipReason.TooLarge, "60000x60000"), (job.Skip, job.SkipDetail));
        Assert.Equal(0, others.Calls);
    }

    [Fact]
    public void Other_formats_and_jpegs_turbojpeg_refuses_go_to_the_other_decoder_which_judges_them()
    {
        using var decoder = Create(out var others);
        using var pattern = Images.Pattern(48, 40);
        var cases = new (byte[] Bytes, SkipReason Outcome)[]
        {
            (Images.Encode(pattern, SKEncodedImageFormat.Png), SkipReason.None),
            (Images.Gif(), SkipReason.None),
            ("not an image at all"u8.ToArray(), SkipReason.NotAnImage),
            (Images.TruncatedJpeg(), SkipReason.Truncated),
            (Images.CorruptJpeg(), SkipReason.Corrupt),
        };

        foreach (var (bytes, outcome) in cases)
        {
            using var job = Job(bytes);
            Assert.Equal(outcome == SkipReason.None, decoder.Decode(job, 16, NoLimit));
            Assert.Equal(outcome, job.Skip);
        }

        Assert.Equal(cases.Length, others.Calls);
    }

    [Fact]
    public void A_library_that_is_missing_or_lacks_the_api_is_not_loaded_and_each_place_tried_is_named()
    {
        var load = TurboJpegLibrary.Load(["/nonexistent/libturbojpeg.so.0", "libc.so.6"]);

        Assert.False(load.Loaded);
        Assert.Contains("/nonexistent/libturbojpeg.so.0: no such file", load.Reason);
        Assert.Contains("libc.so.6: lacks tjInitDecompress, tjDecompressHeader3, tjDecompress2, tjGetErrorStr2, tjDestroy", load.Reason);
    }

    [Fact]
    public void The_shared_library_is_the_systems_file_it_was_loaded_from()
    {
        var load = TurboJpegLibrary.Shared;

        Assert.True(load.Loaded, load.Reason);
        Assert.True(File.Exists(load.File), load.File);
        Assert.StartsWith("libturbojpeg.so.0.", Path.GetFileName(load.File));
    }

    [Fact]
    public void Without_the_library_auto_says_so_in_one_line_and_uses_skia_while_asking_for_it_is_an_error()
    {
        var missing = TurboJpegLibrary.Load(["/nonexistent/libturbojpeg.so.0"]);
        var log = new StringWriter();

        using (var decoder = ImageDecoders.Create(DecoderChoice.Auto, missing, log))
        {
            Assert.Equal("skia", decoder.Name);
        }

        var line = Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Skia", line);
        Assert.Contains("/nonexistent/libturbojpeg.so.0: no such file", line);
        var error = Assert.Throws<DecoderUnavailableException>(() => ImageDecoders.Create(DecoderChoice.TurboJpeg, missing, log));
        Assert.Contains("--decoder turbojpeg", error.Message);
        Assert.Contains("libturbojpeg0", error.Message);
    }

    [Fact]
    public void With_the_library_auto_and_turbojpeg_decode_with_it_and_skia_with_skia()
    {
        var log = new StringWriter();
        using var auto = ImageDecoders.Create(DecoderChoice.Auto, TurboJpegLibrary.Shared, log);
        using var named = ImageDecoders.Create(DecoderChoice.TurboJpeg, TurboJpegLibrary.Shared, log);
        using var skia = ImageDecoders.Create(DecoderChoice.Skia, TurboJpegLibrary.Shared, log);

        Assert.Equal(("turbojpeg", "turbojpeg", "skia"), (auto.Name, named.Name, skia.Name));
        Assert.Equal("", log.ToString());
    }
}
