using System.Runtime.InteropServices;
using System.Text;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="CudaNative"/>: out parameters for what the
/// driver writes, strings for the names it reads or writes, spans for buffers it reads or fills
/// during the call. Host memory that an asynchronous copy reads after the call returns stays an
/// address (<see cref="nint"/>), as its owner must keep it alive. Every call still returns the
/// status; checking it is <see cref="GpuStatus"/>'s job in the layer above.
/// </summary>
internal static unsafe class CudaApi
{
    /// <summary>cuInit's flags must be 0.</summary>
    public static CuResult Init() => CudaNative.cuInit(0);

    public static CuResult GetDriverVersion(out int version)
    {
        fixed (int* written = &version)
        {
            return CudaNative.cuDriverGetVersion(written);
        }
    }

    public static CuResult GetDeviceCount(out int count)
    {
        fixed (int* written = &count)
        {
            return CudaNative.cuDeviceGetCount(written);
        }
    }

    public static CuResult GetDevice(int ordinal, out int device)
    {
        fixed (int* written = &device)
        {
            return CudaNative.cuDeviceGet(written, ordinal);
        }
    }

    public static CuResult GetDeviceName(int device, out string name)
    {
        const int Capacity = 256;
        var buffer = stackalloc byte[Capacity];
        var status = CudaNative.cuDeviceGetName(buffer, Capacity, device);
        name = status == CuResult.Success ? ReadCString(new ReadOnlySpan<byte>(buffer, Capacity)) : "";
        return status;
    }

    public static CuResult GetDeviceAttribute(int device, CuDeviceAttribute attribute, out int value)
    {
        fixed (int* written = &value)
        {
            return CudaNative.cuDeviceGetAttribute(written, attribute, device);
        }
    }

    public static CuResult GetDeviceTotalMemory(int device, out nuint bytes)
    {
        fixed (nuint* written = &bytes)
        {
            return CudaNative.cuDeviceTotalMem_v2(written, device);
        }
    }

    public static CuResult RetainPrimaryContext(int device, out nint context)
    {
        fixed (nint* written = &context)
        {
            return CudaNative.cuDevicePrimaryCtxRetain(written, device);
        }
    }

    public static CuResult ReleasePrimaryContext(int device) => CudaNative.cuDevicePrimaryCtxRelease_v2(device);

    public static CuResult SetPrimaryContextFlags(int device, uint flags) => CudaNative.cuDevicePrimaryCtxSetFlags_v2(device, flags);

    public static CuResult SetCurrentContext(nint context) => CudaNative.cuCtxSetCurrent(context);

    public static CuResult SynchronizeContext() => CudaNative.cuCtxSynchronize();

    public static CuResult MemAlloc(nuint bytes, out ulong address)
    {
        fixed (ulong* written = &address)
        {
            return CudaNative.cuMemAlloc_v2(written, bytes);
        }
    }

    public static CuResult MemFree(ulong address) => CudaNative.cuMemFree_v2(address);

    public static CuResult MemHostAlloc(nuint bytes, uint flags, out nint pointer)
    {
        fixed (nint* written = &pointer)
        {
            return CudaNative.cuMemHostAlloc(written, bytes, flags);
        }
    }

    public static CuResult MemFreeHost(nint pointer) => CudaNative.cuMemFreeHost(pointer);

    /// <summary>The copy may read <paramref name="source"/> after the call returns: keep it alive (and in place) until the stream has run it.</summary>
    public static CuResult MemcpyHostToDeviceAsync(ulong destination, nint source, nuint bytes, nint stream) =>
        CudaNative.cuMemcpyHtoDAsync_v2(destination, (void*)source, bytes, stream);

    /// <summary>The copy may write <paramref name="destination"/> after the call returns: keep it alive (and in place) until the stream has run it.</summary>
    public static CuResult MemcpyDeviceToHostAsync(nint destination, ulong source, nuint bytes, nint stream) =>
        CudaNative.cuMemcpyDtoHAsync_v2((void*)destination, source, bytes, stream);

    public static CuResult MemcpyDeviceToDeviceAsync(ulong destination, ulong source, nuint bytes, nint stream) =>
        CudaNative.cuMemcpyDtoDAsync_v2(destination, source, bytes, stream);

    /// <summary><paramref name="count"/> is in 32-bit words, not bytes.</summary>
    public static CuResult MemsetD32Async(ulong destination, uint value, nuint count, nint stream) =>
        CudaNative.cuMemsetD32Async(destination, value, count, stream);

    public static CuResult StreamCreate(uint flags, out nint stream)
    {
        fixed (nint* written = &stream)
        {
            return CudaNative.cuStreamCreate(written, flags);
        }
    }

    public static CuResult StreamDestroy(nint stream) => CudaNative.cuStreamDestroy_v2(stream);

    public static CuResult StreamSynchronize(nint stream) => CudaNative.cuStreamSynchronize(stream);

    /// <summary>With the default flags (0): work queued on <paramref name="stream"/> afterwards waits for <paramref name="cuEvent"/>.</summary>
    public static CuResult StreamWaitEvent(nint stream, nint cuEvent) => CudaNative.cuStreamWaitEvent(stream, cuEvent, 0);

    public static CuResult EventCreate(uint flags, out nint cuEvent)
    {
        fixed (nint* written = &cuEvent)
        {
            return CudaNative.cuEventCreate(written, flags);
        }
    }

    public static CuResult EventRecord(nint cuEvent, nint stream) => CudaNative.cuEventRecord(cuEvent, stream);

    public static CuResult EventSynchronize(nint cuEvent) => CudaNative.cuEventSynchronize(cuEvent);

    public static CuResult EventDestroy(nint cuEvent) => CudaNative.cuEventDestroy_v2(cuEvent);

    /// <summary>
    /// cuModuleLoadDataEx with a buffer for the JIT's error log, so that a PTX image that fails to
    /// compile says why: <paramref name="jitLog"/> is that log, empty where the JIT wrote none.
    /// </summary>
    public static CuResult ModuleLoadData(ReadOnlySpan<byte> image, out nint module, out string jitLog)
    {
        const int LogBytes = 8192;
        var log = stackalloc byte[LogBytes];
        log[0] = 0;
        var options = stackalloc CuJitOption[] { CuJitOption.ErrorLogBuffer, CuJitOption.ErrorLogBufferSizeBytes };
        // Each value sits in its pointer-sized slot: the buffer size is the number itself.
        var values = stackalloc void*[] { log, (void*)LogBytes };
        CuResult status;
        fixed (byte* bytes = image)
        fixed (nint* written = &module)
        {
            status = CudaNative.cuModuleLoadDataEx(written, bytes, 2, options, values);
        }

        jitLog = Marshal.PtrToStringUTF8((nint)log) ?? "";
        return status;
    }

    public static CuResult ModuleUnload(nint module) => CudaNative.cuModuleUnload(module);

    public static CuResult ModuleGetFunction(nint module, string name, out nint function)
    {
        fixed (nint* written = &function)
        {
            return CudaNative.cuModuleGetFunction(written, module, name);
        }
    }

    /// <summary><paramref name="kernelParams"/>: one pointer per kernel parameter, each to a copy of its value (the launch copies them).</summary>
    public static CuResult LaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** kernelParams) =>
        CudaNative.cuLaunchKernel(function, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedMemoryBytes, stream, kernelParams, null);

    /// <summary>The explanation of a status, e.g. "no CUDA-capable device is detected"; null where the driver gave no text.</summary>
    public static CuResult GetErrorString(CuResult error, out string? text) => ReadStaticText(&CudaNative.cuGetErrorString, error, out text);

    /// <summary>The enum name of a status, e.g. "CUDA_ERROR_NO_DEVICE"; null where the driver gave no name.</summary>
    public static CuResult GetErrorName(CuResult error, out string? name) => ReadStaticText(&CudaNative.cuGetErrorName, error, out name);

    /// <summary>The driver writes a pointer to static storage: read, never freed, and only after a success (the pointer is not set otherwise).</summary>
    private static CuResult ReadStaticText(delegate*<CuResult, nint*, CuResult> call, CuResult error, out string? text)
    {
        nint pointer;
        var status = call(error, &pointer);
        text = status == CuResult.Success ? Marshal.PtrToStringUTF8(pointer) : null;
        return status;
    }

    private static string ReadCString(ReadOnlySpan<byte> buffer)
    {
        var end = buffer.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? buffer : buffer[..end]);
    }
}
