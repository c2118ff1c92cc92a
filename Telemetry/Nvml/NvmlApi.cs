using System.Runtime.InteropServices;
using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Telemetry.Nvml;

/// <summary>
/// Layer 2: .NET names and .NET types over <see cref="NvmlNative"/>. Every call still returns the
/// status; checking it is <see cref="NvmlException.ThrowIfFailed"/>'s job in the layer above.
/// </summary>
internal static unsafe class NvmlApi
{
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

    public static NvmlReturn GetDeviceCount(out uint count)
    {
        uint value;
        var status = NvmlNative.nvmlDeviceGetCount_v2(&value);
        count = value;
        return status;
    }

    public static NvmlReturn GetDeviceHandle(uint index, out nint device)
    {
        nint value;
        var status = NvmlNative.nvmlDeviceGetHandleByIndex_v2(index, &value);
        device = value;
        return status;
    }

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
        nvmlPciInfo_t pci;
        var status = NvmlNative.nvmlDeviceGetPciInfo_v3(device, &pci);
        busId = status == NvmlReturn.Success ? ReadCString(pci.busId, 32) : "";
        return status;
    }

    public static NvmlReturn GetUtilization(nint device, out uint gpuPercent, out uint memoryPercent)
    {
        nvmlUtilization_t rates;
        var status = NvmlNative.nvmlDeviceGetUtilizationRates(device, &rates);
        (gpuPercent, memoryPercent) = (rates.gpu, rates.memory);
        return status;
    }

    public static NvmlReturn GetMemory(nint device, out ulong total, out ulong free, out ulong used)
    {
        nvmlMemory_t memory;
        var status = NvmlNative.nvmlDeviceGetMemoryInfo(device, &memory);
        (total, free, used) = (memory.total, memory.free, memory.used);
        return status;
    }

    public static NvmlReturn GetTemperatureCelsius(nint device, out uint celsius)
    {
        uint value;
        var status = NvmlNative.nvmlDeviceGetTemperature(device, nvmlTemperatureSensors_t.NVML_TEMPERATURE_GPU, &value);
        celsius = value;
        return status;
    }

    public static NvmlReturn GetPowerMilliwatts(nint device, out uint milliwatts)
    {
        uint value;
        var status = NvmlNative.nvmlDeviceGetPowerUsage(device, &value);
        milliwatts = value;
        return status;
    }

    public static NvmlReturn GetSmClockMegahertz(nint device, out uint megahertz)
    {
        uint value;
        var status = NvmlNative.nvmlDeviceGetClockInfo(device, nvmlClockType_t.NVML_CLOCK_SM, &value);
        megahertz = value;
        return status;
    }

    /// <summary>KB/s over a 20 ms window that the call itself waits out: keep it off hot paths.</summary>
    public static NvmlReturn GetPcieThroughputKilobytes(nint device, bool receive, out uint kilobytesPerSecond)
    {
        uint value;
        var counter = receive ? nvmlPcieUtilCounter_t.NVML_PCIE_UTIL_RX_BYTES : nvmlPcieUtilCounter_t.NVML_PCIE_UTIL_TX_BYTES;
        var status = NvmlNative.nvmlDeviceGetPcieThroughput(device, counter, &value);
        kilobytesPerSecond = value;
        return status;
    }

    /// <summary>0 (P0, most performance) to 15; 32 is <c>NVML_PSTATE_UNKNOWN</c>.</summary>
    public static NvmlReturn GetPerformanceState(nint device, out int pState)
    {
        int value;
        var status = NvmlNative.nvmlDeviceGetPerformanceState(device, &value);
        pState = value;
        return status;
    }

    public static NvmlReturn GetPcieLinkGeneration(nint device, bool max, out uint generation)
    {
        uint value;
        var status = max
            ? NvmlNative.nvmlDeviceGetMaxPcieLinkGeneration(device, &value)
            : NvmlNative.nvmlDeviceGetCurrPcieLinkGeneration(device, &value);
        generation = value;
        return status;
    }

    private static string ReadCString(byte* buffer, int capacity)
    {
        var span = new ReadOnlySpan<byte>(buffer, capacity);
        int end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
