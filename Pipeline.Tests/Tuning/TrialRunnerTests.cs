using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Tuning;

/// <summary>A tune trial on the CUDA backend, in this process on the CUDA stack on the CPU, whose device has 4 GiB.</summary>
public sealed class TrialRunnerTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [CudaStackOnCpuInProcessFact]
    public async Task A_batch_that_does_not_fit_in_device_memory_gives_no_figures_and_the_trials_go_on_on_a_fresh_device()
    {
        // compact at 256x256: a batch of 512 takes 400 MB of images and then 4 GiB for its first layer's output, so the step
        // fails allocating it, before anything is computed.
        StripesDataset.Write(_folder, "data", perClass: 256, side: 16);
        var spec = ModelPresets.Get("compact");
        var opened = new List<ComputeDevice>();
        ComputeDevice Open()
        {
            opened.Add(new ComputeDevice(CudaStackOnCpuInProcess.Create(new CudaBackendOptions()), "the CUDA stack on the CPU"));
            return opened[^1];
        }

        using var runner = new TrialRunner(Open, spec, new ImageSource(DatasetIndex.Scan(_folder.Combine("data"), requireLabels: true)), new InputPipelineOptions { ImageSize = 256 });
        var figures = await runner.RunAsync(new TrialSettings(512, 1, 1, CacheMode.Off, 4), TrialLength.Fit, CancellationToken.None);

        Assert.Null(figures);
        Assert.Equal(2, opened.Count);
        Assert.Same(opened[1], runner.Device);
        // The fresh device works: it allocates and initialises a network of that size, as the next trial's.
        using var network = Network.Create(spec, 256, 256, runner.Device, new NetworkOptions());
        Assert.Equal(0, network.TakeTrainingStatistics().Count);
    }

    public void Dispose() => _folder.Dispose();
}
