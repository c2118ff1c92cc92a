using System.Runtime.InteropServices;

namespace CatsDogs.Telemetry.Nvml.Native;

/// <summary>
/// Layer 1: the NVML entry points this project uses, named and typed as in <c>nvml.h</c> (NVML API 12).
/// The versioned symbols are the ones the header maps the plain names to (<c>nvmlInit</c> is
/// <c>nvmlInit_v2</c>, <c>nvmlDeviceGetPciInfo</c> is <c>_v3</c>, ...). Nothing here checks a status:
/// that is <see cref="NvmlApi"/>'s callers' job. <c>nvmlDevice_t</c> is an opaque pointer that NVML
/// owns (it is never released), so it travels as a plain <see cref="nint"/>.
/// </summary>
internal static unsafe partial class NvmlNative
{
    /// <summary>The driver ships NVML under this versioned soname; the unversioned name exists only with -dev packages.</summary>
    internal const string LibraryName = "libnvidia-ml.so.1";

    /// <summary><c>NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE</c>.</summary>
    internal const int DriverVersionBufferSize = 80;

    /// <summary><c>NVML_DEVICE_NAME_V2_BUFFER_SIZE</c>.</summary>
    internal const int DeviceNameBufferSize = 96;

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlInit_v2();

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlShutdown();

    /// <summary>Returns a pointer to static storage: never free it, never marshal it as an owned string.</summary>
    [LibraryImport(LibraryName)]
    internal static partial nint nvmlErrorString(NvmlReturn result);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlSystemGetDriverVersion(byte* version, uint length);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetCount_v2(out uint deviceCount);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetHandleByIndex_v2(uint index, out nint device);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetName(nint device, byte* name, uint length);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetPciInfo_v3(nint device, out nvmlPciInfo_t pci);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetUtilizationRates(nint device, out nvmlUtilization_t utilization);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetMemoryInfo(nint device, out nvmlMemory_t memory);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetMemoryInfo_v2(nint device, ref nvmlMemory_v2_t memory);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetTemperature(nint device, nvmlTemperatureSensors_t sensorType, out uint temp);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetPowerUsage(nint device, out uint power);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetClockInfo(nint device, nvmlClockType_t type, out uint clock);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetPcieThroughput(nint device, nvmlPcieUtilCounter_t counter, out uint value);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetPerformanceState(nint device, out int pState);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetMaxPcieLinkGeneration(nint device, out uint maxLinkGen);

    [LibraryImport(LibraryName)]
    internal static partial NvmlReturn nvmlDeviceGetCurrPcieLinkGeneration(nint device, out uint currLinkGen);
}
