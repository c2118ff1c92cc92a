using System.Text.Json.Serialization;
using CatsDogs.Pipeline.Tuning.Trials;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Pipeline.Cli;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Dataflow.Caching;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Inference;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// The JSON of the settings files, config.json and tune's tuning.json: camelCase names, enums spelled as on the command
/// line, and strict reading: a key that names no setting, a value of another type, a null where the setting takes none,
/// or a missing member of a provenance record is refused rather than ignored.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(CommandLineSpelledEnum<DeviceKind>), typeof(CommandLineSpelledEnum<Precision>), typeof(CommandLineSpelledEnum<OptimizerKind>),
        typeof(CommandLineSpelledEnum<ScheduleKind>), typeof(CommandLineSpelledEnum<MonitorMetric>), typeof(CommandLineSpelledEnum<FitMode>),
        typeof(CommandLineSpelledEnum<DecoderChoice>), typeof(CommandLineSpelledEnum<CacheMode>), typeof(CommandLineSpelledEnum<TrialPhase>),
        typeof(CommandLineSpelledEnum<TrialOutcome>), typeof(CommandLineSpelledEnum<TestTimeAugmentation>),
    ])]
[JsonSerializable(typeof(TrainConfig))]
[JsonSerializable(typeof(Provenance))]
[JsonSerializable(typeof(TuningFile))]
internal sealed partial class TrainConfigJson : JsonSerializerContext;
