using System.CommandLine;
using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Training;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// The options of `catsdogs train` that are settings of the run, saved in its config.json, with where each goes in
/// a <see cref="TrainConfig"/>. Its other options (--resume, --config, --name, --runs-dir, --on-finish, the metrics
/// endpoint) say how this process goes about the run.
/// </summary>
internal sealed class TrainSettingOptions
{
    private readonly OptionSettings<TrainConfig> _settings;

    public TrainSettingOptions()
    {
        var data = SharedOptions.Data("Labeled training data (Kaggle flat or class folders); a permanent split holds out the validation set.", CifarDefaults.TrainFolder);
        var splitFile = new Option<string?>("--split-file") { Description = "The split file; by default data/splits/<folder>-<hash>.split.json. Written once, reused by every later run." };
        var exclude = SharedOptions.Exclude();
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
        var smoothing = RangedOption.Create("--label-smoothing", "Label smoothing of the training loss: targets 0 and 1 become s/2 and 1 - s/2 (0 for none).", 0f, 0f, 0.5f);
        var validationTta = ChoiceOption.Create("--val-tta", "Test-time augmentation of the validation pass, as evaluate's --tta (flip: each image averaged with its mirror; flipshift: over 6 views), and the best checkpoint is picked by that score.", TestTimeAugmentation.None);
        var monitor = ChoiceOption.Create("--monitor", "What picks the best checkpoint and drives plateau and early stopping: valloss or valacc.", MonitorMetric.ValLoss);
        var logEvery = RangedOption.Create("--log-every", "Steps between reads of the training loss (a read waits for the device).", 20, 1, 100_000);
        var input = new InputOptions(training: true);
        var autotune = new Option<bool>("--autotune")
        {
            Description = "Adjust the decode, read and augment threads and the prefetch while training, to the fewest threads and least memory that keep input wait at or below 1% of step time; " +
                "every change is logged and in settings.csv, and a setting given to `catsdogs retune` is left to the user from then on (docs/TUNING.md).",
        };

        _settings = new OptionSettings<TrainConfig>()
            // A data set given without a split file takes its own default one, not the split file of the settings below it.
            .Add(data, config => new DirectoryInfo(config.Data), (config, value) => config with { Data = value.FullName, SplitFile = null })
            .Add(splitFile, config => config.SplitFile, (config, value) => value is null ? config : config with { SplitFile = value })
            .Add(ValidationCount, config => config.ValidationCount, (config, value) => config with { ValidationCount = value })
            .Add(ValidationFraction, config => config.ValidationFraction, (config, value) => config with { ValidationFraction = value ?? SplitRequest.DefaultFraction })
            .Add(exclude, config => config.Exclude is null ? null : new FileInfo(config.Exclude), (config, value) => config with { Exclude = value?.FullName })
            .Add(Epochs, config => config.Train.Epochs, (config, value) => config with { Train = config.Train with { Epochs = value } })
            .AddChoice(optimizer, config => config.Train.Optimizer, (config, value) => config with { Train = config.Train with { Optimizer = value } })
            .Add(rate, config => config.Train.LearningRate, (config, value) => config with { Train = config.Train with { LearningRate = value } })
            .Add(momentum, config => config.Train.Momentum, (config, value) => config with { Train = config.Train with { Momentum = value } })
            .Add(nesterov, config => config.Train.Nesterov, (config, value) => config with { Train = config.Train with { Nesterov = value } })
            .Add(weightDecay, config => config.Train.WeightDecay, (config, value) => config with { Train = config.Train with { WeightDecay = value } })
            .AddChoice(schedule, config => config.Train.Schedule, (config, value) => config with { Train = config.Train with { Schedule = value } })
            .Add(warmup, config => config.Train.WarmupEpochs, (config, value) => config with { Train = config.Train with { WarmupEpochs = value } })
            .Add(stepEpochs, config => config.Train.StepEpochs, (config, value) => config with { Train = config.Train with { StepEpochs = value } })
            .Add(stepGamma, config => config.Train.StepGamma, (config, value) => config with { Train = config.Train with { StepGamma = value } })
            .Add(plateauFactor, config => config.Train.PlateauFactor, (config, value) => config with { Train = config.Train with { PlateauFactor = value } })
            .Add(plateauPatience, config => config.Train.PlateauPatience, (config, value) => config with { Train = config.Train with { PlateauPatience = value } })
            .Add(earlyStop, config => config.Train.EarlyStopPatience, (config, value) => config with { Train = config.Train with { EarlyStopPatience = value } })
            .Add(minDelta, config => config.Train.EarlyStopMinDelta, (config, value) => config with { Train = config.Train with { EarlyStopMinDelta = value } })
            .Add(clip, config => config.Train.ClipGradientNorm, (config, value) => config with { Train = config.Train with { ClipGradientNorm = value } })
            .Add(smoothing, config => config.Train.LabelSmoothing, (config, value) => config with { Train = config.Train with { LabelSmoothing = value } })
            .AddChoice(validationTta, config => config.Train.ValidationTta, (config, value) => config with { Train = config.Train with { ValidationTta = value } })
            .AddChoice(monitor, config => config.Train.Monitor, (config, value) => config with { Train = config.Train with { Monitor = value } })
            .Add(logEvery, config => config.Train.LogEvery, (config, value) => config with { Train = config.Train with { LogEvery = value } })
            .Add(Seed, config => config.Train.Seed, (config, value) => config with { Train = config.Train with { Seed = value } })
            .AddPart(input.Settings, config => config.Input, (config, value) => config with { Input = value })
            .Add(autotune, config => config.Autotune, (config, value) => config with { Autotune = value })
            .Add(Model.Model, config => config.Train.Model, (config, value) => config with { Train = config.Train with { Model = value } })
            .AddChoice(Model.Device, config => config.Device, (config, value) => config with { Device = value })
            .AddChoice(Model.Precision, config => config.Precision, (config, value) => config with { Precision = value })
            .Add(Model.Deterministic, config => config.Deterministic, (config, value) => config with { Deterministic = value })
            .Add(Model.CpuThreads, config => config.CpuThreads, (config, value) => config with { CpuThreads = value });
    }

    public Option<int> Seed { get; } = SharedOptions.Seed("the split, shuffling, augmentation and weights");

    public Option<int?> ValidationCount { get; } = RangedOption.CreateOptional("--val-count", "Validation images in a new split (wins over --val-fraction).", 1, int.MaxValue);

    public Option<double?> ValidationFraction { get; } = RangedOption.CreateOptional(
        "--val-fraction", $"Share of images held out in a new split (default {SplitRequest.DefaultFraction}).", 0.0001, 0.9);

    public Option<int> Epochs { get; } = RangedOption.Create("--epochs", "Epochs to train (with --resume: the new total).", 20, 1, 100_000);

    public ModelOptions Model { get; } = new();

    public void AddTo(Command command)
    {
        foreach (var option in _settings.Options)
        {
            command.Add(option);
        }
    }

    /// <summary>
    /// The settings a new run takes, in layers, each over the one before: the options' defaults, the settings in
    /// <paramref name="file"/> (--config) where one is given, the batch size and input settings of <paramref name="tuning"/>
    /// (--tuning, measured for this machine, so more particular than a file of settings), and the options given on the
    /// command line. A tuning measured for another model, image size or device is refused (<see cref="TuningFile.Check"/>).
    /// </summary>
    public TrainConfig Configure(ParseResult result, FileInfo? file, FileInfo? tuning)
    {
        // Every setting has an option, so nothing of this placeholder is left: the options not given replace it here, the others last.
        var placeholder = new TrainConfig { Data = "", Train = new(), Input = new() };
        var defaults = _settings.Apply(placeholder, result, option => !Given(result, option));
        var start = file is null ? defaults : Checked(TrainConfigFile.LoadOver(defaults, file.FullName), result, $"--config '{file.FullName}'");
        if (tuning is null)
        {
            return Apply(start, result).Resolved();
        }

        var tuned = TuningFile.Load(tuning.FullName);
        var config = Apply(Checked(tuned.ApplyTo(start), result, $"--tuning '{tuning.FullName}'"), result).Resolved();
        tuned.Check(config, tuning.FullName, Console.Error);
        return config;
    }

    /// <summary><paramref name="config"/> with the options given on the command line over it.</summary>
    public TrainConfig Apply(TrainConfig config, ParseResult result) => _settings.Apply(config, result, option => Given(result, option));

    public static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>
    /// The settings that came with a file, checked by the options they stand for, as those check the command line
    /// (ranges, names): a file cannot give what the command line could not.
    /// </summary>
    /// <param name="source">The file, as the message names it: "--config 'x.json'".</param>
    private TrainConfig Checked(TrainConfig settings, ParseResult result, string source)
    {
        var arguments = _settings.Arguments(settings, option => !Given(result, option)).ToList();
        var errors = result.CommandResult.Command.Parse(arguments).Errors;
        return errors.Count == 0 ? settings : throw new InvalidDataException($"{source}: {string.Join(" ", errors.Select(error => error.Message))}");
    }
}
