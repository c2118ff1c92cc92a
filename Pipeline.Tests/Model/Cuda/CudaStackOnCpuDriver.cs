using System.Runtime.InteropServices;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The driver entry points of a private copy of the CUDA stack on the CPU (its device state is
/// the test's alone), with a current context: for tests that show what the stack catches.
/// </summary>
internal sealed unsafe class CudaStackOnCpuDriver : IDisposable
{
    public const int IllegalAddress = 700;
    public const int LaunchFailed = 719;

    private const uint PortablePinned = 1;
    private const uint NonBlocking = 1;
    private const uint DisableTiming = 2;

    private readonly nint _library;
    private nint _module;

    /// <param name="kernels">The source of the kernels its driver runs; catsdogs' own by default.</param>
    public CudaStackOnCpuDriver(string? kernels = null)
    {
        _library = CudaStackOnCpu.LoadPrivateCopy(kernels);
        Check(((delegate* unmanaged<uint, int>)Export("cuInit"))(0));
        nint context;
        Check(((delegate* unmanaged<nint*, int, int>)Export("cuDevicePrimaryCtxRetain"))(&context, 0));
        Check(((delegate* unmanaged<nint, int>)Export("cuCtxSetCurrent"))(context));
        HostToDevice = (delegate* unmanaged<ulong, nint, nuint, nint, int>)Export("cuMemcpyHtoDAsync_v2");
        DeviceToDevice = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)Export("cuMemcpyDtoDAsync_v2");
        Record = (delegate* unmanaged<nint, nint, int>)Export("cuEventRecord");
        WaitEvent = (delegate* unmanaged<nint, nint, uint, int>)Export("cuStreamWaitEvent");
        SynchronizeStream = (delegate* unmanaged<nint, int>)Export("cuStreamSynchronize");
        Free = (delegate* unmanaged<ulong, int>)Export("cuMemFree_v2");
    }

    public delegate* unmanaged<ulong, nint, nuint, nint, int> HostToDevice { get; }

    public delegate* unmanaged<ulong, ulong, nuint, nint, int> DeviceToDevice { get; }

    public delegate* unmanaged<nint, nint, int> Record { get; }

    public delegate* unmanaged<nint, nint, uint, int> WaitEvent { get; }

    public delegate* unmanaged<nint, int> SynchronizeStream { get; }

    public delegate* unmanaged<ulong, int> Free { get; }

    public void Check(int status) => Assert.Equal(0, status);

    /// <summary>
    /// Queues a one-dimensional launch of a kernel, found by name in a module as the stack's NVRTC
    /// makes it. Each argument is the bits of its C type, widened to 64: a pointer, an int's
    /// two's complement, a float's <see cref="BitConverter.SingleToUInt32Bits"/>.
    /// </summary>
    public int Launch(string kernel, uint blocks, uint threads, nint stream, params ulong[] arguments)
    {
        if (_module == 0)
        {
            nint module;
            fixed (byte* image = "cuda-on-cpu compute_75\0"u8)
            {
                Check(((delegate* unmanaged<nint*, byte*, uint, nint, nint, int>)Export("cuModuleLoadDataEx"))(&module, image, 0, 0, 0));
            }

            _module = module;
        }

        nint function;
        fixed (byte* name = System.Text.Encoding.ASCII.GetBytes(kernel + "\0"))
        {
            Check(((delegate* unmanaged<nint*, nint, byte*, int>)Export("cuModuleGetFunction"))(&function, _module, name));
        }

        // The stack reads each value as its parameter's type from the start of its slot (x86-64 is little-endian).
        fixed (ulong* values = arguments)
        {
            var slots = stackalloc void*[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                slots[i] = values + i;
            }

            return ((delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Export("cuLaunchKernel"))(
                function, blocks, 1, 1, threads, 1, 1, 0, stream, slots, null);
        }
    }

    public nint Stream()
    {
        nint stream;
        Check(((delegate* unmanaged<nint*, uint, int>)Export("cuStreamCreate"))(&stream, NonBlocking));
        return stream;
    }

    public nint Event()
    {
        nint created;
        Check(((delegate* unmanaged<nint*, uint, int>)Export("cuEventCreate"))(&created, DisableTiming));
        return created;
    }

    public nint Pinned(float[] values)
    {
        nint memory;
        Check(((delegate* unmanaged<nint*, nuint, uint, int>)Export("cuMemHostAlloc"))(&memory, (nuint)(values.Length * sizeof(float)), PortablePinned));
        values.CopyTo(new Span<float>((void*)memory, values.Length));
        return memory;
    }

    public ulong Device(int floats)
    {
        ulong memory;
        Check(((delegate* unmanaged<ulong*, nuint, int>)Export("cuMemAlloc_v2"))(&memory, (nuint)(floats * sizeof(float))));
        return memory;
    }

    /// <summary>Device memory holding <paramref name="values"/>, uploaded on the default stream, which this waits for: the stack does not order it with other streams.</summary>
    public ulong Device(float[] values)
    {
        var memory = Device(values.Length);
        fixed (float* source = values)
        {
            Check(HostToDevice(memory, (nint)source, (nuint)(values.Length * sizeof(float)), 0));
        }

        Check(SynchronizeStream(0));
        return memory;
    }

    /// <summary>Reads device memory with a copy into pageable memory, which has completed when the call returns.</summary>
    public float[] Read(ulong source, int floats)
    {
        var values = new float[floats];
        fixed (float* target = values)
        {
            Check(((delegate* unmanaged<void*, ulong, nuint, nint, int>)Export("cuMemcpyDtoHAsync_v2"))(target, source, (nuint)(floats * sizeof(float)), 0));
        }

        return values;
    }

    public void Dispose() => NativeLibrary.Free(_library);

    private nint Export(string name) => NativeLibrary.GetExport(_library, name);
}
