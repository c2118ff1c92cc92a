using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA stack on the CPU catches the kernel faults a GPU would show as wrong or varying
/// numbers: writes outside a kernel's memory, threads of a block that race, and warp shuffles
/// that read outside their mask. Each fault is a kernel of FaultyKernels.cu with a parameter that
/// turns it off: without the fault the kernel runs and gives the right numbers; with it the device
/// fails (the sticky error, as a GPU's fault is; stderr says which fault) or the result is NaN.
/// </summary>
public sealed unsafe class CudaStackOnCpuKernelFaultTests
{
    private const uint AllLanes = 0xFFFFFFFFu;
    private const uint LowHalf = 0x0000FFFFu;

    private static readonly Lazy<string> Kernels =
        new(() => CudaKernels.Source + "\n" + File.ReadAllText(RepoPaths.Of("Pipeline.Tests/Model/Cuda/FaultyKernels.cu")));

    /// <summary>One float past the end lands in the allocation's 256-byte rounding, which no range check sees; one before its start in the guard zone before it.</summary>
    [CppTheory]
    [InlineData(1)]
    [InlineData(-1)]
    public void A_kernel_that_writes_outside_its_allocation_fails_the_device(int shift)
    {
        using var driver = new CudaStackOnCpuDriver(Kernels.Value);
        var stream = driver.Stream();
        const int N = 100;
        var y = driver.Device(N);

        driver.Check(driver.Launch("write_shifted", 1, 128, stream, y, N, 0));
        driver.Check(driver.SynchronizeStream(stream));
        Assert.All(driver.Read(y, N), value => Assert.Equal(1f, value));

        driver.Check(driver.Launch("write_shifted", 1, 128, stream, y, N, (ulong)shift));
        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(stream));
    }

    /// <summary>Host code can write through a device pointer here (a GPU's would crash): the guard zones catch that at the next free or host synchronisation.</summary>
    [CppTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Device_memory_written_past_its_end_fails_the_next_free_or_host_synchronisation(bool free)
    {
        using var driver = new CudaStackOnCpuDriver();
        var stream = driver.Stream();
        var y = driver.Device(3);
        ((float*)y)[2] = 0f;
        driver.Check(driver.SynchronizeStream(stream));

        ((float*)y)[3] = 0f;

        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, free ? driver.Free(y) : driver.SynchronizeStream(stream));
    }

    [CppFact]
    public void Threads_of_a_block_that_share_memory_without_a_barrier_fail_the_launch()
    {
        using var driver = new CudaStackOnCpuDriver(Kernels.Value);
        var stream = driver.Stream();
        const int Threads = 64;
        var y = driver.Device(Threads);

        driver.Check(driver.Launch("read_neighbour", 1, Threads, stream, y, 1));
        driver.Check(driver.SynchronizeStream(stream));
        Assert.Equal(Enumerable.Range(0, Threads).Select(t => (float)((t + 1) % Threads)), driver.Read(y, Threads));

        driver.Check(driver.Launch("read_neighbour", 1, Threads, stream, y, 0));
        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(stream));
    }

    /// <summary>
    /// A shuffle waits for the running lanes of its mask only, so two halves of a warp can reduce
    /// apart, or one half alone under a full mask, as on a device. A value read from a lane outside
    /// the mask (even one that is running and shuffling with others) or from one that has exited is
    /// undefined there, and NaN here.
    /// </summary>
    [CppTheory]
    [InlineData(AllLanes, AllLanes, 16, 528f)]
    [InlineData(AllLanes, LowHalf, 8, 136f)]
    [InlineData(LowHalf, AllLanes, 8, 136f)]
    [InlineData(AllLanes, LowHalf, 16, float.NaN)]
    [InlineData(LowHalf, AllLanes, 16, float.NaN)]
    public void Warp_shuffles_honour_their_mask(uint active, uint mask, int firstOffset, float sum)
    {
        using var driver = new CudaStackOnCpuDriver(Kernels.Value);
        var stream = driver.Stream();
        var (x, y) = (driver.Device([.. Enumerable.Range(1, 32).Select(i => (float)i)]), driver.Device(1));

        driver.Check(driver.Launch("warp_sum", 1, 32, stream, x, y, active, mask, ~mask, (ulong)firstOffset));
        driver.Check(driver.SynchronizeStream(stream));

        Assert.Equal(sum, driver.Read(y, 1)[0]);
    }

    [CppFact]
    public void A_warp_shuffle_whose_mask_leaves_out_the_calling_lane_fails_the_launch()
    {
        using var driver = new CudaStackOnCpuDriver(Kernels.Value);
        var stream = driver.Stream();
        var (x, y) = (driver.Device([.. Enumerable.Range(1, 32).Select(i => (float)i)]), driver.Device(1));

        // Lanes 1 to 31 shuffle under a mask of just them; lane 0 under the same mask, which leaves it out.
        driver.Check(driver.Launch("warp_sum", 1, 32, stream, x, y, AllLanes, AllLanes - 1, AllLanes - 1, 16));

        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(stream));
    }
}
