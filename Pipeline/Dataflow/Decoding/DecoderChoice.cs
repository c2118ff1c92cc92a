namespace CatsDogs.Pipeline.Dataflow.Decoding;

/// <summary>Which decoder turns the files into pixels (<c>--decoder</c>).</summary>
internal enum DecoderChoice
{
    /// <summary>TurboJPEG where libturbojpeg loads, else Skia, said once.</summary>
    Auto,

    /// <summary>libjpeg-turbo with its SIMD for JPEGs, Skia for the other formats; an error where the library is missing.</summary>
    TurboJpeg,

    /// <summary>SkiaSharp for everything: no SIMD, about two thirds of TurboJPEG's speed on large JPEGs.</summary>
    Skia,
}
