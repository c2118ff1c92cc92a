using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Dataflow.Decoding.TurboJpeg;

/// <summary>A TurboJPEG decompressor instance. One thread uses it at a time; it keeps its buffers between images.</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    private TurboJpegHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>A new decompressor; throws where the library cannot make one (it is out of memory).</summary>
    public static TurboJpegHandle Create()
    {
        var created = new TurboJpegHandle();
        created.SetHandle(TurboJpegNative.tjInitDecompress());
        if (created.IsInvalid)
        {
            created.Dispose();
            throw new OutOfMemoryException("tjInitDecompress could not create a decompressor.");
        }

        return created;
    }

    /// <summary>The library's words on the last failure of this instance.</summary>
    public string LastError => Marshal.PtrToStringUTF8(TurboJpegNative.tjGetErrorStr2(this)) ?? "unknown error";

    protected override bool ReleaseHandle() => TurboJpegNative.tjDestroy(handle) == 0;
}
