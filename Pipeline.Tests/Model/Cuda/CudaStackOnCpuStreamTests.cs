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
    [CppFact]
    public void A_copy_that_waits_for_the_upload_sees_its_data_and_one_that_does_not_sees_fresh_memory()
    {
        using var driver = new CudaStackOnCpuDriver();
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
        using var driver = new CudaStackOnCpuDriver();
        var copy = driver.Stream();
        var host = driver.Pinned([1f, 2f]);
        var target = driver.Device(2);

        driver.Check(driver.HostToDevice(target, host, 8, copy));
        ((float*)host)[0] = 5f;

        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(copy));
        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(copy));
    }

    [CppFact]
    public void A_kernel_given_a_host_address_fails_the_device_where_device_memory_works()
    {
        using var driver = new CudaStackOnCpuDriver();
        var stream = driver.Stream();
        var (input, output) = (driver.Device(2), driver.Device(2));
        driver.Check(driver.HostToDevice(input, driver.Pinned([0f, 0f]), 8, stream));
        var host = driver.Pinned([0f, 0f]);

        driver.Check(driver.Launch("sigmoid", 1, 32, stream, input, output, 2));
        driver.Check(driver.SynchronizeStream(stream));
        Assert.Equal([0.5f, 0.5f], driver.Read(output, 2));

        driver.Check(driver.Launch("sigmoid", 1, 32, stream, (ulong)host, output, 2));
        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(stream));
        Assert.Equal(CudaStackOnCpuDriver.IllegalAddress, driver.SynchronizeStream(stream));
    }
}
