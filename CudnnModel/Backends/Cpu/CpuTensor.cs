using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>
/// A tensor in a pinned managed array: the GC reclaims it, and the pin lets kernels take raw
/// pointers without fixed blocks. Views share the array and use its first elements.
/// </summary>
internal sealed class CpuTensor : Tensor
{
    private readonly float[] _storage;

    public CpuTensor(TensorShape shape)
        : this(shape, GC.AllocateArray<float>(shape.Count, pinned: true))
    {
    }

    private CpuTensor(TensorShape shape, float[] storage)
        : base(shape) => _storage = storage;

    public Span<float> Span => _storage.AsSpan(0, Shape.Count);

    public unsafe float* Pointer => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));

    public CpuTensor View(TensorShape shape)
    {
        if (shape.Count > _storage.Length)
        {
            throw new ArgumentException($"A view of {shape} needs {shape.Count} floats but the tensor holds {_storage.Length}.", nameof(shape));
        }

        return new CpuTensor(shape, _storage);
    }
}
