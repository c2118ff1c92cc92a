using CatsDogs.Model.Native;

namespace CatsDogs.Model.Backends.Cuda;

/// <summary>
/// A tensor in device memory. The tensor that allocated the memory frees it; views share the
/// address, free nothing, and keep the memory alive while they are reachable. Disposal releases
/// the memory from any thread (the handle makes its context current).
/// </summary>
internal sealed class CudaTensor : Tensor
{
    private readonly DeviceMemory _memory;
    private readonly bool _isView;

    private CudaTensor(TensorShape shape, DeviceMemory memory, bool isView)
        : base(shape)
    {
        _memory = memory;
        _isView = isView;
    }

    /// <summary>The CUdeviceptr of the first element.</summary>
    public ulong Address => _memory.Address;

    /// <summary>Floats available at <see cref="Address"/>; views may not exceed it.</summary>
    public long Capacity => _memory.Bytes / sizeof(float);

    public long Bytes => (long)Shape.Count * sizeof(float);

    public static CudaTensor Allocate(CudaContext context, TensorShape shape)
    {
        var memory = DeviceMemory.Allocate(context, (long)shape.Count * sizeof(float));
        return new CudaTensor(shape, memory, isView: false);
    }

    public CudaTensor View(TensorShape shape)
    {
        if (shape.Count > Capacity)
        {
            throw new ArgumentException($"A view of {shape} needs {shape.Count} floats but the tensor holds {Capacity}.", nameof(shape));
        }

        return new CudaTensor(shape, _memory, isView: true);
    }

    public override void Dispose()
    {
        if (!_isView)
        {
            _memory.Dispose();
        }
    }
}
