using System.Runtime.InteropServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// A growable scratch buffer in native memory, aligned to 64 bytes so that packed GEMM panels
/// are read with aligned full-width vector loads. Not thread-safe: each worker owns its own.
/// </summary>
internal sealed unsafe class NativeBuffer : IDisposable
{
    private const int Alignment = 64;

    private float* _pointer;
    private long _capacity;

    /// <summary>Returns at least <paramref name="count"/> floats; the contents are undefined.</summary>
    public float* Get(long count)
    {
        if (count > _capacity)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
            _pointer = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), Alignment);
            _capacity = count;
        }

        return _pointer;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        _capacity = 0;
    }
}
