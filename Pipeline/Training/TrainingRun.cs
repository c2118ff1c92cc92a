using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Native;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Autotune;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// One training run from its settings to its summary: the resume policy (continue from the last
/// checkpoint, start again, or refuse), the checks made before anything is written, the assembly
/// of device, split, network, pipeline and trainer, the run folder with its lock, settings and
/// provenance, and the summary. The command line only maps options to a <see cref="TrainConfig"/>.
/// </summary>
internal static class TrainingRun
{
    /// <param name="Config">The settings, resolved.</param>
    /// <param name="Resumed">The run folder of a --resume, already locked by the caller before it read the settings; null for a new run.</param>
    /// <param name="Provenance">The resumed run's sessions so far; null for a new run.</param>
    /// <param name="SplitRequest">How the split is drawn, or checked, for this run.</param>
    /// <param name="Started">When this process started the run, for its provenance.</param>
    public sealed record Request(
        TrainConfig Config, RunFolder? Resumed, Provenance? Provenance, string RunsDirectory, string RunName, SplitRequest SplitRequest, DateTime Started);

    /// <summary>Where the run went and whether every checkpoint it meant to write is on disk.</summary>
    public sealed record Result(RunFolder Run, bool SavedEverything);

    private const string LastCheckpointName = "last.json";

    /// <param name="startTelemetry">Starts the metrics endpoint; called once the data is known to be readable, before the device opens.</param>
    /// <param name="openDevice">Opens the device the settings name, saying which and why.</param>
    public static async Task<Result> RunAsync(
        Request request, Func<Task<TelemetrySession>> startTelemetry, Func<TrainConfig, ComputeDevice> openDevice, CancellationToken stop)
    {
        var (config, run) = (request.Config, request.Resumed);

        // What can be wrong is checked before anything is written, a split file included: the model for this image size, the
        // run's name, the data, the endpoint's port, the device.
        ModelPresets.Get(config.Train.Model).Describe(config.Input.ImageSize, config.Input.ImageSize);
        var continuing = run is not null && CheckResumable(run, config);
        if (run is null)
        {
            RunFolder.Available(request.RunsDirectory, request.RunName);
        }
        else if (!continuing)
        {
            Console.WriteLine($"'{run.Path}' stopped before its first checkpoint: it starts again from the beginning, with the settings it started with.");
        }

        var index = DatasetIndex.Scan(config.Data, requireLabels: true);
        index.ReportUnread(Console.Error);
        var excluded = config.Exclude is null ? null : ExcludeList.Load(config.Exclude);
        await using var telemetry = await startTelemetry();

        using var device = openDevice(config);
        var split = DatasetSplit.LoadOrCreate(index, config.SplitFile!, request.SplitRequest, excluded, Console.Out);
        var (network, state) = OpenNetwork(continuing ? run : null, config, device, split.Hash);
        using (network)
        {
            var created = run is null;
            run ??= RunFolder.CreateNew(request.RunsDirectory, request.RunName, "train");
            using var createdLock = created ? TakeNew(run) : null;
            var session = RunSession.OfThisProcess(request.Started, device.Description);
            TrainConfigFile.Save(run.File(TrainConfigFile.FileName), config, request.Provenance?.With(session) ?? new Provenance([session]));
            Console.WriteLine($"run: {run.Path}");
            Console.WriteLine($"model: {config.Train.Model}, {network.ParameterCount:N0} trainable parameters at {config.Input.ImageSize}x{config.Input.ImageSize}; " +
                $"{split.Train.Count} training and {split.Validation.Count} validation images (split {split.File})");
            telemetry.WriteGpuCsv(run.File("gpu.csv"));
            using var pipeline = new InputPipeline(config.Input with { Seed = config.Train.Seed }, device.HostAllocator, Console.Error, metrics: telemetry.Pipeline);
            using var tuning = new LiveTuning(run, pipeline, telemetry.Pipeline, Console.Error);
            var trainer = new Trainer(
                network, pipeline, new ImageSource(index.Root, split.Train), new ImageSource(index.Root, split.Validation), config.Train, run,
                split.Hash, state, telemetry.Trainer, TrainingProgress.ForConsole(), Console.Out, config.Autotune ? new AutotuneSession(tuning.Control, pipeline) : null);
            var outcome = await RunOrExplainDeviceFailure(trainer, run, stop);
            var summary = TrainingSummary.Render(run, config, device.Description, pipeline.Decoder.Name, outcome, pipeline.BadInput.Summary());
            Console.Write(summary);
            File.WriteAllText(run.File("summary.txt"), summary);
            return new Result(run, !outcome.Checkpoints.Failed.Any());
        }
    }

    private static string LastCheckpoint(RunFolder run) => Path.Combine(run.Checkpoints, LastCheckpointName);

    /// <summary>Locks a new run's folder; another run of the same name may have come and gone since it was found free.</summary>
    private static RunLock TakeNew(RunFolder run)
    {
        var held = RunLock.Take(run);
        if (Directory.EnumerateFileSystemEntries(run.Path).Any(entry => Path.GetFileName(entry) != RunLock.FileName))
        {
            held.Dispose();
            throw new CommandLineError($"The run folder '{run.Path}' was filled by another process meanwhile; give another --name.");
        }

        return held;
    }

    /// <summary>
    /// Trains; a GPU that fails on the way (a device fault; its error is sticky, so nothing more can
    /// run) leaves its full report in the run folder and a message that says how to go on.
    /// </summary>
    private static async Task<TrainingOutcome> RunOrExplainDeviceFailure(Trainer trainer, RunFolder run, CancellationToken stop)
    {
        try
        {
            return await trainer.RunAsync(stop);
        }
        catch (GpuLibraryException e)
        {
            var report = run.File("error.txt");
            File.WriteAllText(report, e.ToString());
            var next = File.Exists(LastCheckpoint(run))
                ? $"The run stopped; once the GPU works again, continue from its last checkpoint with --resume {run.Path}."
                : $"The run stopped before its first checkpoint; once the GPU works again, --resume {run.Path} starts it again.";
            throw new DeviceFailure($"the GPU failed while training: {e.Message} {next} (The full report is in {report}.)", e);
        }
    }

    /// <summary>
    /// Refuses, before anything starts, a run that already has its epochs or that stopped early. True
    /// when the run has a last checkpoint to continue from; false when it stopped before its first
    /// (a second Ctrl+C, a GPU fault), so that it starts again.
    /// </summary>
    private static bool CheckResumable(RunFolder run, TrainConfig config)
    {
        var last = LastCheckpoint(run);
        if (!File.Exists(last))
        {
            return false;
        }

        var state = TrainerState.FromJson(Checkpoint.Inspect(last).TrainerState);
        var done = state.Epoch;
        if (done >= config.Train.Epochs)
        {
            throw new CommandLineError($"'{run.Path}' has trained {done} epoch{(done == 1 ? "" : "s")}; give --epochs more than {done} (the new total) to train further.");
        }

        if (state.NextPosition == 0 && state.EarlyStopping is { } early && early.BadReports >= config.Train.EarlyStopPatience)
        {
            throw new CommandLineError($"'{run.Path}' stopped early after {done} epochs ({config.Train.Monitor.Name()} had not improved for " +
                $"{config.Train.EarlyStopPatience} epochs); resuming would stop again at once. Start a new run to train further.");
        }

        return true;
    }

    /// <summary>A new network, or the last checkpoint of <paramref name="resumed"/>.</summary>
    private static (Network Network, TrainerState State) OpenNetwork(RunFolder? resumed, TrainConfig config, ComputeDevice device, string splitHash)
    {
        if (resumed is not { } run)
        {
            var spec = ModelPresets.Get(config.Train.Model);
            var options = new NetworkOptions
            {
                Seed = (ulong)config.Train.Seed,
                Optimizer = config.Train.ToOptimizerConfig(),
                LearningRate = config.Train.LearningRate,
                ClipGradientNorm = config.Train.ClipGradientNorm,
                LabelSmoothing = config.Train.LabelSmoothing,
            };
            return (Network.Create(spec, config.Input.ImageSize, config.Input.ImageSize, device, options), new TrainerState());
        }

        var loaded = Checkpoint.Load(LastCheckpoint(run), device);
        if (loaded.Info.SplitHash != splitHash)
        {
            loaded.Network.Dispose();
            throw new CommandLineError($"The split file '{config.SplitFile}' changed since this run started; resuming would mix validation images into training. Restore it, or start a new run.");
        }

        var state = TrainerState.FromJson(loaded.Info.TrainerState);
        Console.WriteLine($"Resuming {run.Name} at epoch {state.Epoch + 1}, step {loaded.Network.Step}.");
        return (loaded.Network, state);
    }
}
