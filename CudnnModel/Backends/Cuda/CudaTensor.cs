using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// A tensor in device memory. The tensor that allocated the memory frees it; views share the
/// address and free nothing. Disposal releases the memory from any thread (the handle makes its
/// context current).
/// </summary>
internal sealed class CudaTensor : Tensor
{
    private readonly DeviceMemory? _owned;

    private CudaTensor(TensorShape shape, ulong address, long capacity, DeviceMemory? owned)
        : base(shape)
    {
        Address = address;
        Capacity = capacity;
        _owned = owned;
    }

    /// <summary>The CUdeviceptr of the first element.</summary>
    public ulong Address { get; }

    /// <summary>Floats available at <see cref="Address"/>; views may not exceed it.</summary>
    public long Capacity { get; }

    public long Bytes => (long)Shape.Count * sizeof(float);

    public static CudaTensor Allocate(CudaContext context, TensorShape shape)
    {
        var memory = DeviceMemory.Allocate(context, (long)shape.Count * sizeof(float));
        return new CudaTensor(shape, memory.Address, shape.Count, memory);
    }

    public CudaTensor View(TensorShape shape)
    {
        if (shape.Count > Capacity)
        {
            throw new ArgumentException($"A view of {shape} needs {shape.Count} floats but the tensor holds {Capacity}.", nameof(shape));
        }

        return new CudaTensor(shape, Address, Capacity, owned: null);
    }

    public override void Dispose() => _owned?.Dispose();
}
