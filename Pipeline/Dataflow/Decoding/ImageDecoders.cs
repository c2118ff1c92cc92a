using CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;

namespace CatsDogs.Pipeline.Dataflow.Decoding;

/// <summary>Makes the decoder a <see cref="DecoderChoice"/> names.</summary>
internal static class ImageDecoders
{
    /// <summary>
    /// The chosen decoder, with this process's libturbojpeg. Auto without it says so in one line; each
    /// verb makes one decoder, so a run says it once.
    /// </summary>
    public static IImageDecoder Create(DecoderChoice choice, TextWriter log) => Create(choice, TurboJpegLibrary.Shared, log);

    /// <summary>As above, with the outcome of loading libturbojpeg given (tests give a failed one).</summary>
    internal static IImageDecoder Create(DecoderChoice choice, TurboJpegLoad turboJpeg, TextWriter log)
    {
        if (choice == DecoderChoice.Skia)
        {
            return new SkiaImageDecoder();
        }

        if (turboJpeg.Loaded)
        {
            // The file and its length: TurboJPEG 2.x has no version call, and a rebuilt package may keep the name.
            return new TurboJpegDecoder(new SkiaImageDecoder(), $"{turboJpeg.File} ({new FileInfo(turboJpeg.File!).Length} bytes)");
        }

        if (choice == DecoderChoice.TurboJpeg)
        {
            throw new DecoderUnavailableException(
                $"--decoder turbojpeg: {turboJpeg.Reason}. Install Debian's libturbojpeg0, put {TurboJpegLibrary.Soname} beside catsdogs, or use --decoder auto.");
        }

        log.WriteLine($"Decoding with Skia, which has no SIMD: {turboJpeg.Reason}; Debian's libturbojpeg0 brings it.");
        return new SkiaImageDecoder();
    }
}
