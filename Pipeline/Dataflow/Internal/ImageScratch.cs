namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>The buffers an image needs while it is read, decoded and fitted; a thread may reuse them for the next image once the tile is made.</summary>
internal sealed class ImageScratch : IDisposable
{
    public readonly NativeBuffer Encoded = new();

    /// <summary>Decoded pixels, RGBA, rows packed.</summary>
    public readonly NativeBuffer Decoded = new();

    /// <summary>The decoded image shrunk to what a training cache keeps, RGBA.</summary>
    public readonly NativeBuffer Fitted = new();

    public void Dispose()
    {
        Encoded.Dispose();
        Decoded.Dispose();
        Fitted.Dispose();
    }
}
