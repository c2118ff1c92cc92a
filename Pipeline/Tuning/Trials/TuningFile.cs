using System.Text.Json;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Tuning.Trials;

/// <summary>
/// runs/&lt;name&gt;/tuning.json: what `catsdogs tune` found, which `train --tuning` applies. <see cref="Settings"/> is in the
/// shape of config.json's settings; <see cref="Provenance"/> says what it was measured for, which train checks; the
/// trials and what was not tried are the record behind the choice.
/// </summary>
/// <param name="Chosen">The number of the trial whose settings these are.</param>
/// <param name="Reasons">Why the batch, then the input settings, were chosen.</param>
internal sealed record TuningFile(
    TunedSettings Settings, TuningProvenance Provenance, int Chosen, IReadOnlyList<string> Reasons, IReadOnlyList<Trial> Trials, IReadOnlyList<string> NotTried)
{
    public const string FileName = "tuning.json";

    public void Save(string path) => AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, TrainConfigJson.Default.TuningFile));

    /// <summary>The file at <paramref name="path"/>, read as strictly as a config.json: a key too many or a value of the wrong type is refused, naming it.</summary>
    public static TuningFile Load(string path)
    {
        var source = $"--tuning '{path}'";
        var file = SettingsFile.ReadObject(path, source, $"as tune's {FileName} is");
        return SettingsFile.Deserialize(file, TrainConfigJson.Default.TuningFile, source);
    }

    /// <summary><paramref name="config"/> with the batch size and input settings of this tuning.</summary>
    public TrainConfig ApplyTo(TrainConfig config)
    {
        var tuned = Settings.Input;
        return config with
        {
            Input = config.Input with
            {
                BatchSize = tuned.BatchSize, DecodeThreads = tuned.DecodeThreads, ReadThreads = tuned.ReadThreads, AugmentThreads = tuned.AugmentThreads,
                QueuePerThread = tuned.QueuePerThread, Prefetch = tuned.Prefetch, Cache = tuned.Cache,
            },
        };
    }

    /// <summary>
    /// Refuses a tuning measured for another model, image size or device than the run's: its batch might not fit there,
    /// and its input settings were sized to another network's pace. A run on --device auto takes it as it is. Another
    /// data set is only said: the settings still work, if not as well.
    /// </summary>
    public void Check(TrainConfig config, string path, TextWriter log)
    {
        var (model, size) = (config.Train.Model, config.Input.ImageSize);
        if (!string.Equals(model, Provenance.Model, StringComparison.OrdinalIgnoreCase) || size != Provenance.ImageSize)
        {
            throw new CommandLineError($"--tuning '{path}' was measured for {Provenance.Model} at {Provenance.ImageSize}x{Provenance.ImageSize}, but this run trains " +
                $"{model} at {size}x{size}, where its batch may not fit or be the fastest: tune for this run (catsdogs tune --model {model} --image-size {size}), or leave --tuning out.");
        }

        if (config.Device != DeviceKind.Auto && config.Device != Provenance.Device)
        {
            throw new CommandLineError($"--tuning '{path}' was measured on the {CommandLineSpelling.Of(Provenance.Device)}, but this run asks for --device " +
                $"{CommandLineSpelling.Of(config.Device)}: tune on that device (catsdogs tune --device {CommandLineSpelling.Of(config.Device)}), or leave --tuning out.");
        }

        if (!string.Equals(Path.GetFullPath(config.Data), Provenance.Data, StringComparison.Ordinal))
        {
            log.WriteLine($"note: --tuning '{path}' was measured on {Provenance.Data}; this run reads {Path.GetFullPath(config.Data)}, whose images may cost more or less to decode.");
        }
    }
}

/// <summary>What train takes from a tuning, in config.json's shape.</summary>
internal sealed record TunedSettings(TunedInput Input);

/// <summary>The batch size and input settings, named as in config.json's input.</summary>
/// <param name="ReadThreads">Null, as tune leaves the read threads to follow <paramref name="DecodeThreads"/> (also where train's --decode-threads overrides it).</param>
/// <param name="AugmentThreads">Null, for the same reason.</param>
internal sealed record TunedInput(int BatchSize, int DecodeThreads, int? ReadThreads, int? AugmentThreads, int QueuePerThread, int Prefetch, CacheMode Cache);

/// <summary>What a tuning was measured for, and when, where and by which command (<see cref="Session"/>).</summary>
/// <param name="Data">The data folder, absolute.</param>
/// <param name="Device">What the trials ran on: cpu or cuda.</param>
internal sealed record TuningProvenance(
    string Data, int Images, string Model, int ImageSize, DeviceKind Device, int BudgetSeconds, int MaxBatch, string Decoder, RunSession Session);
