using System.CommandLine;
using System.Diagnostics;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Pipeline.Data;
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
        var tuning = new Option<FileInfo?>("--tuning")
        {
            HelpName = "FILE",
            Description = "The batch size and input settings catsdogs tune measured (runs/<name>/tuning.json), over --config's values; options given on the command line " +
                "win over them. Refused when measured for another model, image size or device.",
        };
        var resume = new Option<DirectoryInfo?>("--resume") { Description = "Continue the run in this folder (runs/<name>) from its last checkpoint, with its saved settings." };
        var onFinish = new Option<string?>("--on-finish") { Description = "Shell command run when training ends, finished, stopped early or interrupted, but not when the run cannot start (CATSDOGS_RUN holds the run folder), e.g. 'sudo shutdown -h now'." };
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var metricsOptions = new MetricsOptions();

        var command = new Command("train", "Train a network: one metrics.csv row, curve plots and best/last checkpoints per epoch, in runs/<name>/.");
        settings.AddTo(command);
        command.Add(configFile);
        command.Add(tuning);
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
                var tuned = result.GetValue(tuning);
                foreach (var (option, given) in new[] { (configFile, file), (tuning, tuned) })
                {
                    if (given is { Exists: false })
                    {
                        throw new CommandLineError($"{option.Name} '{given.FullName}' does not exist.");
                    }
                }

                return settings.Configure(result, file, tuned);
            }

            using var stop = new StopSignal("finishing the current batch and writing the last checkpoint");
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);
            var resumeFolder = result.GetValue(resume);
            var run = resumeFolder is null ? null : RunFolder.OpenExisting(resumeFolder.FullName);
            // Held before a resumed run's settings and checkpoint are read, so that no other process changes them meanwhile.
            using var resumedLock = run is null ? null : RunLock.Take(run);
            var (config, provenance) = run is null ? (Configure(), null) : Resumed(run);

            var request = new TrainingRun.Request(config, run, provenance, result.GetRequiredValue(runsDirectory), result.GetValue(name) ?? RunFolder.DefaultName("train"),
                new SplitRequest(config.ValidationCount, config.ValidationFraction, config.Train.Seed,
                    Explicit: run is null && (Given(settings.ValidationCount) || Given(settings.ValidationFraction)), Resuming: run is not null,
                    SeedGiven: run is null && Given(settings.Seed)),
                started);
            var (trained, savedEverything) = await TrainingRun.RunAsync(request, () => metricsOptions.StartAsync(result, linked.Token), OpenDevice, linked.Token);

            RunOnFinish(result.GetValue(onFinish), trained);
            // Trained, but not all of it is on disk: a script must not take the run for complete.
            return savedEverything ? ExitCodes.Success : ExitCodes.Environment;
        });
        return command;
    }

    private static ComputeDevice OpenDevice(TrainConfig config) =>
        ModelOptions.Open(config.Device, config.CpuThreads, new CudaBackendOptions { Precision = config.Precision, Deterministic = config.Deterministic }, Console.Out);

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
