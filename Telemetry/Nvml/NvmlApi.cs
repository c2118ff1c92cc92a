using System.Runtime.InteropServices;
using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Telemetry.Nvml;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="NvmlNative"/>. Every call still returns the
/// status; checking it is <see cref="NvmlException.ThrowIfFailed"/>'s job in the layer above.
/// </summary>
internal static unsafe class NvmlApi
{
    private static volatile bool s_hasMemoryV2 = true;

    public static NvmlReturn Init() => NvmlNative.nvmlInit_v2();

    public static NvmlReturn Shutdown() => NvmlNative.nvmlShutdown();

    public static string ErrorString(NvmlReturn status) =>
        Marshal.PtrToStringUTF8(NvmlNative.nvmlErrorString(status)) ?? status.ToString();

    public static NvmlReturn GetDriverVersion(out string version)
    {
        byte* buffer = stackalloc byte[NvmlNative.DriverVersionBufferSize];
        var status = NvmlNative.nvmlSystemGetDriverVersion(buffer, NvmlNative.DriverVersionBufferSize);
        version = status == NvmlReturn.Success ? ReadCString(buffer, NvmlNative.DriverVersionBufferSize) : "";
        return status;
    }

    public static NvmlReturn GetDeviceCount(out uint count) => NvmlNative.nvmlDeviceGetCount_v2(out count);

    public static NvmlReturn GetDeviceHandle(uint index, out nint device) => NvmlNative.nvmlDeviceGetHandleByIndex_v2(index, out device);

    public static NvmlReturn GetName(nint device, out string name)
    {
        byte* buffer = stackalloc byte[NvmlNative.DeviceNameBufferSize];
        var status = NvmlNative.nvmlDeviceGetName(device, buffer, NvmlNative.DeviceNameBufferSize);
        name = status == NvmlReturn.Success ? ReadCString(buffer, NvmlNative.DeviceNameBufferSize) : "";
        return status;
    }

    /// <summary>The bus id as nvidia-smi prints it: <c>domain:bus:device.function</c>, e.g. <c>00000000:01:00.0</c>.</summary>
    public static NvmlReturn GetPciBusId(nint device, out string busId)
    {
        var status = NvmlNative.nvmlDeviceGetPciInfo_v3(device, out var pci);
        busId = status == NvmlReturn.Success ? ReadCString(pci.busId, 32) : "";
        return status;
    }

    public static NvmlReturn GetUtilization(nint device, out nvmlUtilization_t percent) => NvmlNative.nvmlDeviceGetUtilizationRates(device, out percent);

    /// <summary>
    /// Total, free and used bytes; used without the driver's reservation where the driver answers the v2
    /// call, as nvidia-smi reports it. Where it cannot (an older driver, or a virtualized one that does
    /// not support it) the v1 call, which counts the reservation as used, serves from then on; after
    /// any other failure of v2, for that reading only.
    /// </summary>
    public static NvmlReturn GetMemory(nint device, out (ulong Total, ulong Free, ulong Used) bytes)
    {
        var v2 = new nvmlMemory_v2_t { version = nvmlMemory_v2_t.Version2 };
        var v2Status = s_hasMemoryV2 ? CallMemoryV2(device, ref v2) : NvmlReturn.FunctionNotFound;
        if (v2Status == NvmlReturn.Success)
        {
            bytes = (v2.total, v2.free, v2.used);
            return v2Status;
        }

        if (v2Status is NvmlReturn.FunctionNotFound or NvmlReturn.ArgumentVersionMismatch or NvmlReturn.NotSupported)
        {
            s_hasMemoryV2 = false;
        }

        var status = NvmlNative.nvmlDeviceGetMemoryInfo(device, out var v1);
        bytes = (v1.total, v1.free, v1.used);
        return status;
    }

    private static NvmlReturn CallMemoryV2(nint device, ref nvmlMemory_v2_t memory)
    {
        try
        {
            return NvmlNative.nvmlDeviceGetMemoryInfo_v2(device, ref memory);
        }
        catch (EntryPointNotFoundException)
        {
            return NvmlReturn.FunctionNotFound;
        }
    }

    public static NvmlReturn GetTemperatureCelsius(nint device, out uint celsius) =>
        NvmlNative.nvmlDeviceGetTemperature(device, nvmlTemperatureSensors_t.NVML_TEMPERATURE_GPU, out celsius);

    public static NvmlReturn GetPowerMilliwatts(nint device, out uint milliwatts) => NvmlNative.nvmlDeviceGetPowerUsage(device, out milliwatts);

    public static NvmlReturn GetSmClockMegahertz(nint device, out uint megahertz) =>
        NvmlNative.nvmlDeviceGetClockInfo(device, nvmlClockType_t.NVML_CLOCK_SM, out megahertz);

    /// <summary>KB/s over a 20 ms window that the call itself waits out: keep it off hot paths.</summary>
    public static NvmlReturn GetPcieThroughputKilobytes(nint device, bool receive, out uint kilobytesPerSecond) =>
        NvmlNative.nvmlDeviceGetPcieThroughput(
            device, receive ? nvmlPcieUtilCounter_t.NVML_PCIE_UTIL_RX_BYTES : nvmlPcieUtilCounter_t.NVML_PCIE_UTIL_TX_BYTES, out kilobytesPerSecond);

    /// <summary>0 (P0, most performance) to 15; 32 is <c>NVML_PSTATE_UNKNOWN</c>.</summary>
    public static NvmlReturn GetPerformanceState(nint device, out int pState) => NvmlNative.nvmlDeviceGetPerformanceState(device, out pState);

    public static NvmlReturn GetPcieLinkGeneration(nint device, bool max, out uint generation) => max
        ? NvmlNative.nvmlDeviceGetMaxPcieLinkGeneration(device, out generation)
        : NvmlNative.nvmlDeviceGetCurrPcieLinkGeneration(device, out generation);

    private static string ReadCString(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
