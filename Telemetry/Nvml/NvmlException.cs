using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Telemetry.Nvml;

/// <summary>An NVML call failed, or NVML could not be loaded. The message says which call and why, in NVML's words.</summary>
internal sealed class NvmlException(NvmlReturn status, string message) : Exception(message)
{
    public NvmlReturn Status { get; } = status;

    /// <summary>The one status check of layer 3: every NVML status goes through here or <see cref="IsSupported"/>.</summary>
    public static void ThrowIfFailed(NvmlReturn status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status != NvmlReturn.Success)
        {
            Throw(status, expression);
        }
    }

    /// <summary>
    /// For optional readings (power, clocks, PCIe counters differ by board and by virtualization):
    /// false when NVML says the device does not support the query, this process may not make it (common
    /// in containers and VMs), has no value yet, the driver lacks or has retired the query, or the
    /// driver failed it in a way NVML cannot name (a sandbox's GPU proxy that refuses a driver call);
    /// a throw for any other failure, which stops the sampling.
    /// </summary>
    public static bool IsSupported(NvmlReturn status, [CallerArgumentExpression(nameof(status))] string expression = "")
    {
        if (status is NvmlReturn.NotSupported or NvmlReturn.NoPermission or NvmlReturn.NoData or NvmlReturn.NotReady
            or NvmlReturn.FunctionNotFound or NvmlReturn.Deprecated or NvmlReturn.Unknown)
        {
            return false;
        }

        ThrowIfFailed(status, expression);
        return true;
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(NvmlReturn status, string expression) =>
        throw new NvmlException(status, $"{expression} failed: {NvmlApi.ErrorString(status)} (NVML status {status} = {(int)status})");
}
