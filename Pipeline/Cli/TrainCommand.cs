using System.CommandLine;
using System.Diagnostics;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Optim;
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
    private enum OptimizerKind
    {
        Sgd,
        AdamW,
    }

    public static Command Create()
    {
        var seed = SharedOptions.Seed("the split, shuffling, augmentation and weights");
        var data = SharedOptions.Data("Labeled training data (Kaggle flat or class folders); a permanent split holds out the validation set.", CifarDefaults.TrainFolder);
        var splitFile = new Option<string?>("--split-file") { Description = "The split file; by default data/splits/<folder>-<hash>.split.json. Written once, reused by every later run." };
        var valCount = RangedOption.CreateOptional("--val-count", "Validation images in a new split (wins over --val-fraction).", 1, int.MaxValue);
        var valFraction = RangedOption.CreateOptional("--val-fraction", $"Share of images held out in a new split (default {SplitRequest.DefaultFraction}).", 0.0001, 0.9);
        var exclude = SharedOptions.Exclude();
        var epochs = RangedOption.Create("--epochs", "Epochs to train (with --resume: the new total).", 20, 1, 100_000);
        var optimizer = ChoiceOption.Create("--optimizer", "sgd (momentum, optionally Nesterov) or adamw.", OptimizerKind.Sgd);
        var rate = RangedOption.Create("--lr", "Peak learning rate.", 0.05f, 1e-7f, 10f);
        var momentum = RangedOption.Create("--momentum", "SGD momentum.", 0.9f, 0f, 0.999f);
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum for SGD." };
        var weightDecay = RangedOption.Create("--weight-decay", "Weight decay (L2 for SGD, decoupled for AdamW).", 5e-4f, 0f, 1f);
        var schedule = ChoiceOption.Create("--schedule", "Learning-rate schedule: constant, step, cosine (with --warmup-epochs), onecycle or plateau (reduce on plateau of --monitor).", ScheduleKind.Cosine);
        var warmup = RangedOption.Create("--warmup-epochs", "Linear warm-up before the cosine decay, in epochs.", 1.0, 0.0, 1000.0);
        var stepEpochs = RangedOption.Create("--step-epochs", "Step schedule: epochs between decays.", 10, 1, 100_000);
        var stepGamma = RangedOption.Create("--step-gamma", "Step schedule: decay factor.", 0.1f, 0.0001f, 0.9999f);
        var plateauFactor = RangedOption.Create("--plateau-factor", "Reduce on plateau: factor applied to the rate.", 0.1f, 0.0001f, 0.9999f);
        var plateauPatience = RangedOption.Create("--plateau-patience", "Reduce on plateau: epochs without improvement before a cut.", 3, 0, 1000);
        var earlyStop = RangedOption.CreateOptional("--early-stop", "Stop after this many epochs without improvement of --monitor (off when absent).", 1, 10_000);
        var minDelta = RangedOption.Create("--min-delta", "Early stopping: smallest change that counts as an improvement.", 0.0, 0.0, 1.0);
        var clip = RangedOption.CreateOptional("--clip-grad-norm", "Clip gradients to this global L2 norm (off when absent).", 1e-6f, 1e6f);
        var monitor = ChoiceOption.Create("--monitor", "What picks the best checkpoint and drives plateau and early stopping: valloss or valacc.", MonitorMetric.ValLoss);
        var logEvery = RangedOption.Create("--log-every", "Steps between reads of the training loss (a read waits for the device).", 20, 1, 100_000);
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue the run in this folder (runs/<name>) from its last checkpoint, with its saved settings." };
        var onFinish = new Option<string?>("--on-finish") { Description = "Shell command run when training ends, finished, stopped early or interrupted, but not when the run cannot start (CATSDOGS_RUN holds the run folder), e.g. 'sudo shutdown -h now'." };
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var input = new InputOptions(seed);
        var model = new ModelOptions();
        var metricsOptions = new MetricsOptions();

        var command = new Command("train", "Train a network: one metrics.csv row, curve plots and best/last checkpoints per epoch, in runs/<name>/.")
        {
            data, splitFile, valCount, valFraction, exclude, epochs, optimizer, rate, momentum, nesterov, weightDecay, schedule, warmup,
            stepEpochs, stepGamma, plateauFactor, plateauPatience, earlyStop, minDelta, clip, monitor, logEvery, resume, onFinish, seed,
            runsDirectory, name,
        };
        input.AddTo(command);
        model.AddTo(command);
        metricsOptions.AddTo(command);

        command.SetAction(async (result, cancellationToken) =>
        {
            bool Given(Option option) => result.GetResult(option) is { Implicit: false };

            // A resumed run keeps the settings it started with; what may change is how long and where it runs.
            TrainConfig Resumed(RunFolder run)
            {
                // An allow-list, so that an option added later is refused here until someone decides it may change.
                Option[] changeable = [resume, epochs, model.Device, model.CpuThreads, model.Precision, model.Deterministic, metricsOptions.Listen, onFinish];
                if (command.Options.Except(changeable).Where(Given).Select(option => option.Name).ToList() is { Count: > 0 } ignored)
                {
                    throw new CommandLineError($"--resume continues '{run.Path}' with the settings it started with ({TrainConfig.FileName}), so " +
                        $"{string.Join(", ", ignored)} cannot be given; only --epochs, --device, --cpu-threads, --precision, --deterministic, the metrics endpoint " +
                        "and --on-finish may change. Start a new run to change the others.");
                }

                if (!File.Exists(run.File(TrainConfig.FileName)))
                {
                    throw new CommandLineError($"'{run.Path}' is not a training run's folder (it has no {TrainConfig.FileName}).");
                }

                var saved = TrainConfig.Load(run.File(TrainConfig.FileName));
                return saved with
                {
                    Device = Given(model.Device) ? model.Device.ValueIn(result) : saved.Device,
                    CpuThreads = Given(model.CpuThreads) ? result.GetValue(model.CpuThreads) : saved.CpuThreads,
                    Precision = Given(model.Precision) ? model.Precision.ValueIn(result) : saved.Precision,
                    Deterministic = Given(model.Deterministic) ? result.GetValue(model.Deterministic) : saved.Deterministic,
                    Train = Given(epochs) ? saved.Train with { Epochs = result.GetValue(epochs) } : saved.Train,
                };
            }

            TrainConfig Configure()
            {
                var dataRoot = result.GetRequiredValue(data).FullName;
                OptimizerConfig optimizerConfig = optimizer.ValueIn(result) == OptimizerKind.AdamW
                    ? new AdamWConfig { WeightDecay = result.GetValue(weightDecay) }
                    : new SgdConfig { Momentum = result.GetValue(momentum), Nesterov = result.GetValue(nesterov), WeightDecay = result.GetValue(weightDecay) };
                return new TrainConfig
                {
                    Data = dataRoot,
                    SplitFile = Path.GetFullPath(result.GetValue(splitFile) ?? SplitFiles.DefaultFor(dataRoot)),
                    ValidationCount = result.GetValue(valCount),
                    ValidationFraction = result.GetValue(valFraction) ?? SplitRequest.DefaultFraction,
                    Exclude = result.GetValue(exclude)?.FullName,
                    Device = model.Device.ValueIn(result),
                    CpuThreads = result.GetValue(model.CpuThreads),
                    Precision = model.Precision.ValueIn(result),
                    Deterministic = result.GetValue(model.Deterministic),
                    Input = input.Bind(result),
                    Train = new TrainOptions
                    {
                        Model = result.GetRequiredValue(model.Model),
                        Epochs = result.GetValue(epochs),
                        Optimizer = optimizerConfig,
                        LearningRate = result.GetValue(rate),
                        Schedule = schedule.ValueIn(result),
                        WarmupEpochs = result.GetValue(warmup),
                        StepEpochs = result.GetValue(stepEpochs),
                        StepGamma = result.GetValue(stepGamma),
                        PlateauFactor = result.GetValue(plateauFactor),
                        PlateauPatience = result.GetValue(plateauPatience),
                        EarlyStopPatience = result.GetValue(earlyStop),
                        EarlyStopMinDelta = result.GetValue(minDelta),
                        ClipGradientNorm = result.GetValue(clip),
                        Monitor = monitor.ValueIn(result),
                        LogEvery = result.GetValue(logEvery),
                        Seed = result.GetValue(seed),
                    },
                };
            }

            using var stop = new StopSignal("finishing the current batch and writing the last checkpoint");
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);
            var resumeFolder = result.GetValue(resume);
            var run = resumeFolder is null ? null : RunFolder.OpenExisting(resumeFolder.FullName);
            // Held before a resumed run's settings and checkpoint are read, so that no other process changes them meanwhile.
            using var resumedLock = run is null ? null : RunLock.Take(run);
            var config = run is null ? Configure() : Resumed(run);

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
                Explicit: run is null && (result.GetValue(valCount) is not null || result.GetValue(valFraction) is not null), Resuming: run is not null,
                SeedGiven: run is null && Given(seed));
            var split = DatasetSplit.LoadOrCreate(index, config.SplitFile, request, excluded, Console.Out);

            var savedEverything = false;
            var (network, state) = OpenNetwork(continuing ? run : null, config, device, split.Hash);
            using (network)
            {
                var created = run is null;
                run ??= RunFolder.CreateNew(result.GetRequiredValue(runsDirectory), runName, "train");
                using var createdLock = created ? TakeNew(run) : null;
                config.Save(run.File(TrainConfig.FileName));
                Console.WriteLine($"run: {run.Path}");
                Console.WriteLine($"model: {config.Train.Model}, {network.ParameterCount:N0} trainable parameters at {config.Input.ImageSize}x{config.Input.ImageSize}; " +
                    $"{split.Train.Count} training and {split.Validation.Count} validation images (split {split.File})");
                telemetry.WriteGpuCsv(run.File("gpu.csv"));
                using var pipeline = new InputPipeline(config.Input, device.HostAllocator, Console.Error, metrics: telemetry.Pipeline);
                var trainer = new Trainer(
                    network, pipeline, new ImageSource(index.Root, split.Train), new ImageSource(index.Root, split.Validation), config.Train, run,
                    split.Hash, state, telemetry.Trainer, TrainingProgress.ForConsole(), Console.Out);
                var outcome = await RunOrExplainDeviceFailure(trainer, run, linked.Token);
                var summary = TrainingSummary.Render(run, config, device.Description, pipeline.Decoder.Name, outcome, pipeline.BadInput.Summary());
                Console.Write(summary);
                File.WriteAllText(run.File("summary.txt"), summary);
                savedEverything = !outcome.Checkpoints.Failed.Any();
            }

            RunOnFinish(result.GetValue(onFinish), run);
            // Trained, but not all of it is on disk: a script must not take the run for complete.
            return savedEverything ? ExitCodes.Success : ExitCodes.Environment;
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
                Optimizer = config.Train.Optimizer,
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
