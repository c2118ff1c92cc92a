using System.Runtime.InteropServices;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA stack on the CPU has teeth: driver calls straight into a private copy of it show that
/// work a stream was not told to wait for sees memory as it was, that pinned memory rewritten
/// before its upload ran makes the device fail, and that so does a kernel pointed at host memory,
/// as the tests of the backend rely on.
/// </summary>
public sealed unsafe class CudaStackOnCpuStreamTests
{
    private const int IllegalAddress = 700;
    private const uint PortablePinned = 1;
    private const uint NonBlocking = 1;
    private const uint DisableTiming = 2;

    [CppFact]
    public void A_copy_that_waits_for_the_upload_sees_its_data_and_one_that_does_not_sees_fresh_memory()
    {
        using var driver = new Driver();
        var (copy, compute) = (driver.Stream(), driver.Stream());
        var host = driver.Pinned([1f, 2f, 3f, 4f]);
        var (staged, unordered, ordered) = (driver.Device(4), driver.Device(4), driver.Device(4));

        driver.Check(driver.HostToDevice(staged, host, 16, copy));
        driver.Check(driver.DeviceToDevice(unordered, staged, 16, compute));
        var uploaded = driver.Event();
        driver.Check(driver.Record(uploaded, copy));
        driver.Check(driver.WaitEvent(compute, uploaded, 0));
        driver.Check(driver.DeviceToDevice(ordered, staged, 16, compute));
        driver.Check(driver.SynchronizeStream(compute));

        Assert.Equal([1f, 2f, 3f, 4f], driver.Read(ordered, 4));
        Assert.All(driver.Read(unordered, 4), value => Assert.True(float.IsNaN(value)));
    }

    [CppFact]
    public void Pinned_memory_rewritten_before_its_upload_ran_fails_the_device()
    {
        using var driver = new Driver();
        var copy = driver.Stream();
        var host = driver.Pinned([1f, 2f]);
        var target = driver.Device(2);

        driver.Check(driver.HostToDevice(target, host, 8, copy));
        ((float*)host)[0] = 5f;

        Assert.Equal(IllegalAddress, driver.SynchronizeStream(copy));
        Assert.Equal(IllegalAddress, driver.SynchronizeStream(copy));
    }

    [CppFact]
    public void A_kernel_given_a_host_address_fails_the_device_where_device_memory_works()
    {
        using var driver = new Driver();
        var stream = driver.Stream();
        var (input, output) = (driver.Device(2), driver.Device(2));
        driver.Check(driver.HostToDevice(input, driver.Pinned([0f, 0f]), 8, stream));
        var host = driver.Pinned([0f, 0f]);

        driver.Check(driver.Sigmoid(input, output, 2, stream));
        driver.Check(driver.SynchronizeStream(stream));
        Assert.Equal([0.5f, 0.5f], driver.Read(output, 2));

        driver.Check(driver.Sigmoid((ulong)host, output, 2, stream));
        Assert.Equal(IllegalAddress, driver.SynchronizeStream(stream));
        Assert.Equal(IllegalAddress, driver.SynchronizeStream(stream));
    }

    /// <summary>The driver entry points of a private copy of the stack's library, with a current context.</summary>
    private sealed class Driver : IDisposable
    {
        private readonly nint _library = CudaStackOnCpu.LoadPrivateCopy();

        public Driver()
        {
            Check(((delegate* unmanaged<uint, int>)Export("cuInit"))(0));
            nint context;
            Check(((delegate* unmanaged<nint*, int, int>)Export("cuDevicePrimaryCtxRetain"))(&context, 0));
            Check(((delegate* unmanaged<nint, int>)Export("cuCtxSetCurrent"))(context));
            HostToDevice = (delegate* unmanaged<ulong, nint, nuint, nint, int>)Export("cuMemcpyHtoDAsync_v2");
            DeviceToDevice = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)Export("cuMemcpyDtoDAsync_v2");
            Record = (delegate* unmanaged<nint, nint, int>)Export("cuEventRecord");
            WaitEvent = (delegate* unmanaged<nint, nint, uint, int>)Export("cuStreamWaitEvent");
            SynchronizeStream = (delegate* unmanaged<nint, int>)Export("cuStreamSynchronize");
        }

        public delegate* unmanaged<ulong, nint, nuint, nint, int> HostToDevice { get; }

        public delegate* unmanaged<ulong, ulong, nuint, nint, int> DeviceToDevice { get; }

        public delegate* unmanaged<nint, nint, int> Record { get; }

        public delegate* unmanaged<nint, nint, uint, int> WaitEvent { get; }

        public delegate* unmanaged<nint, int> SynchronizeStream { get; }

        public void Check(int status) => Assert.Equal(0, status);

        /// <summary>Launches the sigmoid kernel of Kernels.cu (y = sigmoid(x) over n floats) from a module as the stack's NVRTC makes it.</summary>
        public int Sigmoid(ulong x, ulong y, int n, nint stream)
        {
            nint module, function;
            var image = "cuda-on-cpu compute_75\0"u8;
            fixed (byte* bytes = image)
            {
                Check(((delegate* unmanaged<nint*, byte*, uint, nint, nint, int>)Export("cuModuleLoadDataEx"))(&module, bytes, 0, 0, 0));
            }

            fixed (byte* name = "sigmoid\0"u8)
            {
                Check(((delegate* unmanaged<nint*, nint, byte*, int>)Export("cuModuleGetFunction"))(&function, module, name));
            }

            var args = stackalloc void*[] { &x, &y, &n };
            return ((delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)Export("cuLaunchKernel"))(
                function, 1, 1, 1, 32, 1, 1, 0, stream, args, null);
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
}
