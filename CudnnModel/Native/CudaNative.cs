using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native;

/// <summary>
/// Layer 1: the CUDA driver API entry points the backend uses, named and typed as in
/// <c>cuda.h</c> (CUDA 12.6). Where the header maps a name to a versioned symbol
/// (<c>cuMemAlloc</c> to <c>cuMemAlloc_v2</c>), the versioned symbol is bound. Contexts come
/// from the primary context API only, which CUDA 13 left unchanged (its <c>cuCtxCreate</c> is
/// <c>_v4</c>). Handles are opaque pointers (<see cref="nint"/>), device addresses are
/// <c>CUdeviceptr</c> (<see cref="ulong"/>). Nothing here checks a status; <see cref="CudaApi"/>
/// (layer 2) is the only caller.
/// </summary>
internal static unsafe partial class CudaNative
{
    internal const string LibraryName = "libcuda.so.1";

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuInit(uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDriverGetVersion(int* driverVersion);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDeviceGetCount(int* count);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDeviceGet(int* device, int ordinal);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDeviceGetName(byte* name, int length, int device);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDeviceGetAttribute(int* value, CuDeviceAttribute attribute, int device);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDeviceTotalMem_v2(nuint* bytes, int device);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDevicePrimaryCtxRetain(nint* context, int device);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDevicePrimaryCtxRelease_v2(int device);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuDevicePrimaryCtxSetFlags_v2(int device, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuCtxSetCurrent(nint context);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuCtxSynchronize();

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemAlloc_v2(ulong* pointer, nuint bytes);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemFree_v2(ulong pointer);

    /// <summary><paramref name="flags"/>: <c>CU_MEMHOSTALLOC_PORTABLE = 0x01</c> and friends.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemHostAlloc(nint* pointer, nuint bytes, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemFreeHost(nint pointer);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);

    /// <summary><paramref name="count"/> is in 32-bit words, not bytes.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuStreamCreate(nint* stream, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuStreamDestroy_v2(nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuStreamSynchronize(nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuStreamWaitEvent(nint stream, nint cuEvent, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuEventCreate(nint* cuEvent, uint flags);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuEventRecord(nint cuEvent, nint stream);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuEventSynchronize(nint cuEvent);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuEventDestroy_v2(nint cuEvent);

    /// <summary>
    /// <paramref name="optionValues"/> holds each option's value in its pointer-sized slot
    /// (a buffer size goes in as the number itself, not as a pointer to it).
    /// </summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuModuleLoadDataEx(nint* module, void* image, uint numOptions, CuJitOption* options, void** optionValues);

    [LibraryImport(LibraryName)]
    internal static partial CuResult cuModuleUnload(nint module);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial CuResult cuModuleGetFunction(nint* function, nint module, string name);

    /// <summary><paramref name="kernelParams"/>: one pointer per kernel parameter, each to a copy of its value; <paramref name="extra"/> must be null then.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** kernelParams, void** extra);

    /// <summary>Writes a pointer to static storage: never free it.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuGetErrorString(CuResult error, nint* text);

    /// <summary>Writes a pointer to static storage: never free it.</summary>
    [LibraryImport(LibraryName)]
    internal static partial CuResult cuGetErrorName(CuResult error, nint* text);
}
