using System.Globalization;
using CatsDogs.Telemetry.Gpu;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// NVML's error answers through the real bindings: `catsdogs train` (on the CPU) reads the NVML of the CUDA stack on
/// the CPU, whose temperature query is made to answer an error status (CUDA_ON_CPU_NVML_FAIL). A status that says the
/// board cannot give a reading leaves that reading out and sampling goes on; any other stops GPU sampling, saying
/// which call failed in NVML's words, and the run goes on without GPU metrics.
/// </summary>
public sealed class NvmlFailureTests : IDisposable
{
    /// <summary>NVML_ERROR_NOT_SUPPORTED and NVML_ERROR_GPU_IS_LOST, as nvml.h numbers them.</summary>
    private const int NotSupported = 3, GpuIsLost = 15;

    private readonly TempFolder _folder = new();

    public NvmlFailureTests() => StripesDataset.Write(_folder, "data", perClass: 24, side: 16);

    [CppFact]
    public async Task A_lost_gpu_stops_gpu_sampling_once_with_nvmls_words_and_training_goes_on()
    {
        var (exit, output) = await CudaStackOnCpu.RunAsync(TemperatureAnswering(GpuIsLost), Train("lost", epochs: 1));

        Assert.True(exit == 0, output);
        var warning = Assert.Single(output.Split('\n'), line => line.Contains("GPU sampling", StringComparison.Ordinal));
        Assert.Equal(
            "warning: GPU sampling stopped: NvmlApi.GetTemperatureCelsius(handle, out var celsius) failed: GPU is lost (NVML status GpuIsLost = 15). " +
            "The hw.gpu.* and catsdogs.gpu.* series are absent from now on and gpu.csv gets no more rows.",
            warning);
        // The first reading failed, so gpu.csv never got a row.
        Assert.Equal([GpuCsvLog.Header], File.ReadAllLines(_folder.Combine("runs", "lost", "gpu.csv")));
    }

    [CppFact]
    public async Task A_reading_the_board_does_not_support_is_left_out_and_sampling_goes_on()
    {
        // Longer than the test waits for: it is stopped once the sampler has written its rows.
        await using var app = ChildProcess.CatsDogs(TemperatureAnswering(NotSupported), Train("unsupported", epochs: 1000));

        var rows = await RowsAsync(app, _folder.Combine("runs", "unsupported", "gpu.csv"), count: 2);

        // Every other reading as the stand-in gives it: P0, PCIe 5, an idle device (the run is on the CPU), 4 GiB free.
        Assert.All(rows, row => Assert.EndsWith(
            ", CUDA stack on the CPU (test stand-in), 00000000:00:00.0, 580.00 (cuda-on-cpu), P0, 5, 5, [N/A], 0 %, 0 %, 4096 MiB, 4096 MiB, 0 MiB", row));
        Assert.DoesNotContain("GPU sampling", app.Output);
    }

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, string> TemperatureAnswering(int status)
    {
        var environment = CudaStackOnCpu.Environment;
        environment["CUDA_ON_CPU_NVML_FAIL"] = $"nvmlDeviceGetTemperature:{status}";
        return environment;
    }

    private string[] Train(string name, int epochs) =>
    [
        "train", "--device", "cpu", "--model", "compact", "--metrics-listen", "none", "--data", _folder.Combine("data"),
        "--split-file", _folder.Combine("split.json"), "--runs-dir", _folder.Combine("runs"), "--name", name,
        "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--image-size", "16", "--batch-size", "4",
    ];

    /// <summary>
    /// The first <paramref name="count"/> rows of gpu.csv, once the sampler (a row a second) has written one more: the
    /// line being appended as the file is read may be incomplete, the ones before it are not. A sampler that says it
    /// stopped will write none.
    /// </summary>
    private static async Task<string[]> RowsAsync(ChildProcess app, string csv, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var lines = File.Exists(csv) ? File.ReadAllLines(csv) : [];
            if (lines.Length >= count + 2)
            {
                Assert.Equal(GpuCsvLog.Header, lines[0]);
                return lines[1..(count + 1)];
            }

            Assert.False(app.HasExited, $"catsdogs stopped early:\n{app.Output}");
            Assert.DoesNotContain("GPU sampling", app.Output);
            Assert.True(DateTime.UtcNow < deadline, $"gpu.csv has {lines.Length} lines after a minute; catsdogs said:\n{app.Output}");
            await Task.Delay(250);
        }
    }
}
