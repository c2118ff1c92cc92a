using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;

/// <summary>
/// The TurboJPEG 2.x decompression API of libjpeg-turbo, declared as in turbojpeg.h (libjpeg-turbo
/// 3.x still exports it). <see cref="LibraryName"/> is a logical name that
/// <see cref="TurboJpegLibrary"/> resolves to the library it loaded; nothing here is called before
/// that load has succeeded.
/// </summary>
internal static partial class TurboJpegNative
{
    public const string LibraryName = "turbojpeg";

    /// <summary>TJPF_RGBA: four bytes a pixel, alpha 0xFF for a JPEG.</summary>
    public const int PixelFormatRgba = 7;

    /// <summary>TJPF_CMYK: the stored inks, which libjpeg-turbo cannot turn into RGB itself.</summary>
    public const int PixelFormatCmyk = 11;

    /// <summary>TJCS_CMYK and TJCS_YCCK: the colour spaces that decode only to <see cref="PixelFormatCmyk"/>.</summary>
    public const int ColorspaceCmyk = 3;

    public const int ColorspaceYcck = 4;

    /// <summary>TJFLAG_STOPONWARNING: a truncated file stops at once instead of being filled with grey.</summary>
    public const int FlagStopOnWarning = 8192;

    /// <summary>The names <see cref="TurboJpegLibrary"/> checks before it declares the library usable.</summary>
    public static readonly string[] Exports = ["tjInitDecompress", "tjDecompressHeader3", "tjDecompress2", "tjGetErrorStr2", "tjDestroy"];

    [LibraryImport(LibraryName)]
    public static partial nint tjInitDecompress();

    [LibraryImport(LibraryName)]
    public static unsafe partial int tjDecompressHeader3(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, out int width, out int height, out int jpegSubsamp, out int jpegColorspace);

    [LibraryImport(LibraryName)]
    public static unsafe partial int tjDecompress2(
        TurboJpegHandle handle, byte* jpegBuf, nuint jpegSize, byte* dstBuf, int width, int pitch, int height, int pixelFormat, int flags);

    /// <summary>The handle's last error; the string belongs to the library.</summary>
    [LibraryImport(LibraryName)]
    public static partial nint tjGetErrorStr2(TurboJpegHandle handle);

    [LibraryImport(LibraryName)]
    public static partial int tjDestroy(nint handle);
}
