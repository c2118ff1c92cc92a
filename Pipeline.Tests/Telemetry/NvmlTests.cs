using System.Runtime.InteropServices;
using CatsDogs.Telemetry.Gpu;
using CatsDogs.Telemetry.Nvml;
using CatsDogs.Telemetry.Nvml.Native;

namespace CatsDogs.Tests.Telemetry;

public sealed class NvmlTests
{
    [Fact]
    public unsafe void Structs_match_the_nvml_h_layout()
    {
        // nvmlPciInfo_t: char busIdLegacy[16]; 5 x unsigned int; char busId[32].
        Assert.Equal(68, sizeof(nvmlPciInfo_t));
        Assert.Equal(36, (int)Marshal.OffsetOf<nvmlPciInfo_t>(nameof(nvmlPciInfo_t.busId)));
        Assert.Equal(8, sizeof(nvmlUtilization_t));
        Assert.Equal(24, sizeof(nvmlMemory_t));
        Assert.Equal(40, sizeof(nvmlMemory_v2_t));
        Assert.Equal(32, (int)Marshal.OffsetOf<nvmlMemory_v2_t>(nameof(nvmlMemory_v2_t.used)));
        Assert.Equal(0x02000028u, nvmlMemory_v2_t.Version2);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(13, false)]
    [InlineData(999, false)]
    public void An_optional_reading_is_absent_where_the_driver_cannot_give_it(int status, bool supported) =>
        Assert.Equal(supported, NvmlException.IsSupported((NvmlReturn)status));

    [Fact]
    public void An_optional_reading_that_fails_otherwise_is_an_error_not_an_absence()
    {
        var error = Record.Exception(() => NvmlException.IsSupported(NvmlReturn.GpuIsLost));

        // Where NVML is loaded the error carries its reason; where it is not (CI), reading that reason fails first.
        Assert.True(error is NvmlException { Status: NvmlReturn.GpuIsLost } or DllNotFoundException, error?.ToString() ?? "no error");
    }

    [Fact]
    public void Loading_reports_every_path_it_tried()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir", NvmlNative.LibraryName);
        var handle = NvmlLibrary.TryLoad(["libcatsdogs-no-such-library.so.1", missing], out var trace, out var present);

        Assert.Equal(0, handle);
        Assert.False(present);
        Assert.StartsWith("libcatsdogs-no-such-library.so.1: libcatsdogs-no-such-library.so.1: cannot open shared object file", trace);
        Assert.EndsWith($"; {missing}: no such file", trace);
    }

    [Fact]
    public void A_library_that_exists_but_does_not_load_counts_as_present()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"catsdogs-{Guid.NewGuid():N}-{NvmlNative.LibraryName}");
        File.WriteAllBytes(broken, []);
        try
        {
            Assert.Equal(0, NvmlLibrary.TryLoad([broken], out var trace, out var present));
            Assert.True(present);
            Assert.StartsWith($"{broken}: ", trace);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Opening_nvml_yields_readable_gpus_or_says_why_not()
    {
        using var reader = NvmlGpuReader.TryOpen(out var reason);
        bool driverPresent = NvmlLibrary.DefaultCandidates.Skip(1).Any(File.Exists);
        if (reader is null)
        {
            // Without a driver the reason is one short line; with one, the NVML call that failed and NVML's words.
            Assert.Contains(driverPresent ? "failed: " : $"no NVIDIA driver here ({NvmlNative.LibraryName} is not installed)", reason);
            return;
        }

        var sample = reader.ReadAll(DateTimeOffset.Now)[0];
        Assert.Empty(reason);
        Assert.Matches("^[0-9A-F]{8}:[0-9A-F]{2}:[0-9A-F]{2}\\.[0-9]$", sample.Device.PciBusId);
        Assert.NotEmpty(sample.Device.Name);
        Assert.InRange(sample.MemoryUsedBytes, 0UL, sample.MemoryTotalBytes);
        Assert.True(sample.MemoryTotalBytes > 0);
    }
}
