using System.CommandLine;
using System.Diagnostics;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Native;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs train`: trains a preset on a data set, with checkpoints, metrics and resume.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var settings = new TrainSettingOptions();
        var configFile = new Option<FileInfo?>("--config")
        {
            HelpName = "FILE",
            Description = "Settings as JSON, in the shape of a run's config.json (whose provenance is set aside), e.g. runs/<name>/config.json to " +
                "train again with the same settings; options given on the command line win over the file's values, and the file's over the defaults.",
        };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue the run in this folder (runs/<name>) from its last checkpoint, with its saved settings." };
        var onFinish = new Option<string?>("--on-finish") { Description = "Shell command run when training ends, finished, stopped early or interrupted, but not when the run cannot start (CATSDOGS_RUN holds the run folder), e.g. 'sudo shutdown -h now'." };
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var metricsOptions = new MetricsOptions();

        var command = new Command("train", "Train a network: one metrics.csv row, curve plots and best/last checkpoints per epoch, in runs/<name>/.");
        settings.AddTo(command);
        command.Add(configFile);
        command.Add(resume);
        command.Add(onFinish);
        command.Add(runsDirectory);
        command.Add(name);
        metricsOptions.AddTo(command);

        command.SetAction(async (result, cancellationToken) =>
        {
            var started = DateTime.UtcNow;
            bool Given(Option option) => TrainSettingOptions.Given(result, option);

            // A resumed run keeps the settings it started with; what may change is how long and where it runs.
            (TrainConfig Config, Provenance? Provenance) Resumed(RunFolder run)
            {
                if (Given(configFile))
                {
                    throw new CommandLineError($"--config cannot be given with --resume: '{run.Path}' continues with the settings it started with ({TrainConfigFile.FileName}). " +
                        "To train with settings from a file, start a new run with --config alone.");
                }

                // An allow-list, so that an option added later is refused here until someone decides it may change.
                var model = settings.Model;
                Option[] changeable = [resume, settings.Epochs, model.Device, model.CpuThreads, model.Precision, model.Deterministic, metricsOptions.Listen, onFinish];
                if (command.Options.Except(changeable).Where(Given).Select(option => option.Name).ToList() is { Count: > 0 } ignored)
                {
                    throw new CommandLineError($"--resume continues '{run.Path}' with the settings it started with ({TrainConfigFile.FileName}), so " +
                        $"{string.Join(", ", ignored)} cannot be given; only --epochs, --device, --cpu-threads, --precision, --deterministic, the metrics endpoint " +
                        "and --on-finish may change. Start a new run to change the others.");
                }

                if (!File.Exists(run.File(TrainConfigFile.FileName)))
                {
                    throw new CommandLineError($"'{run.Path}' is not a training run's folder (it has no {TrainConfigFile.FileName}).");
                }

                var saved = TrainConfigFile.Load(run.File(TrainConfigFile.FileName));
                return (settings.Apply(saved.Settings, result).Resolved(), saved.Provenance);
            }

            TrainConfig Configure()
            {
                var file = result.GetValue(configFile);
                if (file is { Exists: false })
                {
                    throw new CommandLineError($"--config '{file.FullName}' does not exist.");
                }

                return settings.Configure(result, file);
            }

            using var stop = new StopSignal("finishing the current batch and writing the last checkpoint");
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);
            var resumeFolder = result.GetValue(resume);
            var run = resumeFolder is null ? null : RunFolder.OpenExisting(resumeFolder.FullName);
            // Held before a resumed run's settings and checkpoint are read, so that no other process changes them meanwhile.
            using var resumedLock = run is null ? null : RunLock.Take(run);
            var (config, provenance) = run is null ? (Configure(), null) : Resumed(run);

            // What can be wrong is checked before anything is written, a split file included: the model for this image size, the
            // run's name, the data, the endpoint's port, the device.
            ModelPresets.Get(config.Train.Model).Describe(config.Input.ImageSize, config.Input.ImageSize);
            var runName = result.GetValue(name) ?? RunFolder.DefaultName("train");
            var continuing = run is not null && CheckResumable(run, config);
            if (run is null)
            {
                RunFolder.Available(result.GetRequiredValue(runsDirectory), runName);
            }
            else if (!continuing)
            {
                Console.WriteLine($"'{run.Path}' stopped before its first checkpoint: it starts again from the beginning, with the settings it started with.");
            }

            var index = DatasetIndex.Scan(config.Data, requireLabels: true);
            index.ReportUnread(Console.Error);
            var excluded = config.Exclude is null ? null : ExcludeList.Load(config.Exclude);
            await using var telemetry = await metricsOptions.StartAsync(result, linked.Token);

            using var device = ModelOptions.Open(config.Device, config.CpuThreads,
                new CudaBackendOptions { Precision = config.Precision, Deterministic = config.Deterministic }, Console.Out);
            var request = new SplitRequest(config.ValidationCount, config.ValidationFraction, config.Train.Seed,
                Explicit: run is null && (Given(settings.ValidationCount) || Given(settings.ValidationFraction)), Resuming: run is not null,
                SeedGiven: run is null && Given(settings.Seed));
            var split = DatasetSplit.LoadOrCreate(index, config.SplitFile!, request, excluded, Console.Out);

            var (network, state) = OpenNetwork(continuing ? run : null, config, device, split.Hash);
            using (network)
            {
                var created = run is null;
                run ??= RunFolder.CreateNew(result.GetRequiredValue(runsDirectory), runName, "train");
                using var createdLock = created ? TakeNew(run) : null;
                var session = RunSession.OfThisProcess(started, device.Description);
                TrainConfigFile.Save(run.File(TrainConfigFile.FileName), config, provenance?.With(session) ?? new Provenance([session]));
                Console.WriteLine($"run: {run.Path}");
                Console.WriteLine($"model: {config.Train.Model}, {network.ParameterCount:N0} trainable parameters at {config.Input.ImageSize}x{config.Input.ImageSize}; " +
                    $"{split.Train.Count} training and {split.Validation.Count} validation images (split {split.File})");
                telemetry.WriteGpuCsv(run.File("gpu.csv"));
                using var pipeline = new InputPipeline(config.Input with { Seed = config.Train.Seed }, device.HostAllocator, Console.Error, metrics: telemetry.Pipeline);
                var trainer = new Trainer(
                    network, pipeline, new ImageSource(index.Root, split.Train), new ImageSource(index.Root, split.Validation), config.Train, run,
                    split.Hash, state, telemetry.Trainer, TrainingProgress.ForConsole(), Console.Out);
                var outcome = await RunOrExplainDeviceFailure(trainer, run, linked.Token);
                var summary = TrainingSummary.Render(run, config, device.Description, pipeline.Decoder.Name, outcome, pipeline.BadInput.Summary());
                Console.Write(summary);
                File.WriteAllText(run.File("summary.txt"), summary);
            }

            RunOnFinish(result.GetValue(onFinish), run);
            return 0;
        });
        return command;
    }

    private static string LastCheckpoint(RunFolder run) => Path.Combine(run.Checkpoints, "last.json");

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
    private static (Network Network, TrainerState State) OpenNetwork(RunFolder? resumed, TrainConfig config, Model.Backends.ComputeDevice device, string splitHash)
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

    private static void RunOnFinish(string? command, RunFolder run)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return;
        }

        Console.WriteLine($"on-finish: {command}");
        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false };
        start.Environment["CATSDOGS_RUN"] = run.Path;
        using var process = Process.Start(start) ?? throw new CommandLineError($"--on-finish could not start /bin/sh.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"on-finish exited with code {process.ExitCode}.");
        }
    }
}
