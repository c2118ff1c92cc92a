using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Dataflow.Internal;

/// <summary>
/// A growable native scratch buffer. It only grows, so after the first few images of a data set
/// it stops allocating; native, so the decoders can be handed a pointer without pinning.
/// Not thread-safe: it belongs to one <see cref="ImageJob"/> at a time.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    public nint Pointer { get; private set; }

    public int Capacity { get; private set; }

    public Span<byte> Span(int length)
    {
        System.Diagnostics.Debug.Assert(length <= Capacity, "Ensure the capacity before taking a span.");
        return new Span<byte>((void*)Pointer, length);
    }

    public void EnsureCapacity(int bytes)
    {
        if (bytes <= Capacity)
        {
            return;
        }

        // Round up to 64 KiB so that a data set of slowly growing files does not reallocate each time.
        var capacity = (int)Math.Min(int.MaxValue, ((long)bytes + 0xFFFF) & ~0xFFFFL);
        Pointer = (nint)NativeMemory.Realloc((void*)Pointer, (nuint)capacity);
        Capacity = capacity;
    }

    public void Dispose()
    {
        NativeMemory.Free((void*)Pointer);
        Pointer = 0;
        Capacity = 0;
    }
}
