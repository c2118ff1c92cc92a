using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Augmentation;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Inference.Evaluation;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;
using CatsDogs.Telemetry;
using Spectre.Console;

namespace CatsDogs.Tests.Training;

/// <summary>Runs the real trainer on a generated stripes data set, on the CPU backend with one thread (bit-exact).</summary>
internal sealed class TrainerHarness(string dataRoot, string runsRoot)
{
    public TrainOptions Options { get; init; } = new()
    {
        Model = "compact",
        Epochs = 2,
        Optimizer = OptimizerKind.Sgd,
        Momentum = 0.9f,
        WeightDecay = 5e-4f,
        LearningRate = 0.05f,
        Schedule = ScheduleKind.Cosine,
        WarmupEpochs = 0.5,
        LogEvery = 2,
        Seed = 7,
    };

    public InputPipelineOptions Input { get; init; } = new()
    {
        BatchSize = 16,
        ImageSize = 16,
        DecodeThreads = 2,
        Augment = new AugmentOptions(Flip: true, Shear: 0.1, Zoom: 0.1),
        Seed = 7,
    };

    /// <summary>Where the trainer exports its live metrics; none by default. A stop at a step reports through its own instead.</summary>
    public TrainerMetrics? Metrics { get; init; }

    public StringWriter Log { get; } = new();

    /// <summary>Trains in <paramref name="runName"/> (resuming it when it has a last checkpoint), stopping when <paramref name="stopAtStep"/> is reached.</summary>
    public async Task<TrainingOutcome> TrainAsync(string runName, long? stopAtStep = null, int? epochs = null)
    {
        var (index, split) = Split();
        var folder = Path.Combine(runsRoot, runName);
        var run = Directory.Exists(folder) ? RunFolder.OpenExisting(folder) : RunFolder.CreateNew(runsRoot, runName, "train");
        using var device = BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 });
        var last = Path.Combine(run.Checkpoints, "last.json");
        Network network;
        var state = new TrainerState();
        if (File.Exists(last))
        {
            var loaded = Checkpoint.Load(last, device);
            network = loaded.Network;
            state = TrainerState.FromJson(loaded.Info.TrainerState);
        }
        else
        {
            network = Network.Create(ModelPresets.Get(Options.Model), Input.ImageSize, Input.ImageSize, device,
                new NetworkOptions { Seed = (ulong)Options.Seed, Optimizer = Options.ToOptimizerConfig(), LearningRate = Options.LearningRate });
        }

        using (network)
        {
            using var pipeline = new InputPipeline(Input, AlignedHostAllocator.Instance, TextWriter.Null);
            using var stop = new CancellationTokenSource();
            using var stopAt = stopAtStep is { } step ? new StopAtStep(network, step, stop) : null;
            var trainer = new Trainer(network, pipeline, new ImageSource(index.Root, split.Train), new ImageSource(index.Root, split.Validation),
                Options with { Epochs = epochs ?? Options.Epochs }, run, split.Hash, state, stopAt?.Metrics ?? Metrics,
                new TrainingProgress(AnsiConsole.Console, live: false, Log, TimeSpan.Zero), Log);
            return await trainer.RunAsync(stop.Token);
        }
    }

    /// <summary>Accuracy and log loss of the run's last checkpoint on its validation images, as evaluate scores them.</summary>
    public async Task<(double Accuracy, double LogLoss)> ScoreValidationAsync(string runName, TestTimeAugmentation tta)
    {
        var (index, split) = Split();
        using var device = BackendFactory.Create(DeviceKind.Cpu, new CpuBackendOptions { Threads = 1 });
        using var network = Checkpoint.Load(Path.Combine(runsRoot, runName, "checkpoints", "last.json"), device).Network;
        using var pipeline = new InputPipeline(Input, AlignedHostAllocator.Instance, TextWriter.Null);
        var (probabilities, _) = await Predictions.RunAsync(network, pipeline, new ImageSource(index.Root, split.Validation), tta, new Progress<int>(), CancellationToken.None);
        var truth = split.Validation.Select(entry => entry.Label).ToList();
        var correct = truth.Where((label, i) => probabilities[i] > 0.5f == (label == ImageLabel.Dog)).Count();
        return ((double)correct / truth.Count, LogLoss.Of(truth, probabilities));
    }

    /// <summary>The data set and the split every run of the harness trains and validates on (made by the first run).</summary>
    private (DatasetIndex Index, DatasetSplit Split) Split()
    {
        var index = DatasetIndex.Scan(dataRoot, requireLabels: true);
        return (index, DatasetSplit.LoadOrCreate(index, Path.Combine(runsRoot, "split.json"), new SplitRequest(null, 0.25, 3, false), null, TextWriter.Null));
    }

    public byte[] LastWeights(string runName)
    {
        var checkpoints = Path.Combine(runsRoot, runName, "checkpoints");
        return File.ReadAllBytes(Directory.GetFiles(checkpoints, "last.step*.safetensors").Single());
    }
}
