using System.Runtime.InteropServices;

namespace CatsDogs.Telemetry.Nvml.Native;

// The structs and enums of nvml.h that NvmlNative passes, laid out byte for byte as in C.

/// <summary><c>nvmlPciInfo_t</c> as filled by <c>nvmlDeviceGetPciInfo_v3</c>: 68 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct nvmlPciInfo_t
{
    public fixed byte busIdLegacy[16];   // NVML_DEVICE_PCI_BUS_ID_BUFFER_V2_SIZE
    public uint domain;
    public uint bus;
    public uint device;
    public uint pciDeviceId;
    public uint pciSubSystemId;
    public fixed byte busId[32];         // NVML_DEVICE_PCI_BUS_ID_BUFFER_SIZE
}

/// <summary><c>nvmlUtilization_t</c>: percent of the last sample period the GPU (or its memory) was busy.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nvmlUtilization_t
{
    public uint gpu;
    public uint memory;
}

/// <summary><c>nvmlMemory_v2_t</c>, bytes: 40 bytes. <c>used</c> leaves out what the driver reserves, as nvidia-smi does.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nvmlMemory_v2_t
{
    /// <summary><c>NVML_STRUCT_VERSION(Memory, 2)</c>: the struct's size with the version in the top byte.</summary>
    public const uint Version2 = 40 | (2u << 24);

    public uint version;
    public ulong total;
    public ulong reserved;
    public ulong free;
    public ulong used;
}

/// <summary><c>nvmlMemory_t</c> (v1), bytes: the fallback for drivers without v2, where <c>used</c> includes the reserved memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct nvmlMemory_t
{
    public ulong total;
    public ulong free;
    public ulong used;
}

internal enum nvmlTemperatureSensors_t
{
    NVML_TEMPERATURE_GPU = 0,
}

internal enum nvmlClockType_t
{
    NVML_CLOCK_SM = 1,
}

internal enum nvmlPcieUtilCounter_t
{
    NVML_PCIE_UTIL_TX_BYTES = 0,
    NVML_PCIE_UTIL_RX_BYTES = 1,
}
