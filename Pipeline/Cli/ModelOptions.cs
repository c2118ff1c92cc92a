using System.CommandLine;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>--model, --device, --precision, --deterministic and --cpu-threads, shared by the verbs that build a network.</summary>
internal sealed class ModelOptions
{
    public Option<string> Model { get; } = CreateModel();

    public EnumChoiceOption<DeviceKind> Device { get; } = ChoiceOption.Create(
        "--device", "Where to run the network: auto (CUDA when it loads, else the CPU, saying why), cpu or cuda.", DeviceKind.Auto);

    public EnumChoiceOption<Precision> Precision { get; } = ChoiceOption.Create(
        "--precision", "Float32 math on the GPU: tf32 lets tensor cores round products to TF32 (faster), fp32 is strict. The CPU is always fp32.",
        CatsDogs.Model.Backends.Cuda.Precision.Tf32);

    public Option<bool> Deterministic { get; } = new("--deterministic")
    {
        Description = "On the GPU, only computations that give the same bits on every run (cuDNN's deterministic convolution algorithms, " +
            "chosen without timing them, and its deterministic max pooling); can be slower. The CPU is always deterministic.",
    };

    public Option<int> CpuThreads { get; } = RangedOption.Create("--cpu-threads", "Threads of the CPU backend.", Environment.ProcessorCount, 1, 1024);

    public void AddTo(Command command, bool withModel = true)
    {
        if (withModel)
        {
            command.Add(Model);
        }

        command.Add(Device);
        command.Add(Precision);
        command.Add(Deterministic);
        command.Add(CpuThreads);
    }

    /// <summary>Opens the device and prints which one and why; --device cuda without CUDA is an error (exit 2).</summary>
    public static ComputeDevice Open(DeviceKind kind, int cpuThreads, CudaBackendOptions cuda, TextWriter log)
    {
        var device = BackendFactory.Create(kind, new CpuBackendOptions { Threads = cpuThreads }, cuda with { Log = log });
        log.WriteLine($"device: {device.Name}, {device.Description} ({device.Reason})");
        return device;
    }

    /// <summary>Opens the device these options chose.</summary>
    public ComputeDevice Open(ParseResult result, TextWriter log) => Open(Device.ValueIn(result), result, log);

    /// <summary>Opens a second device of the kind <paramref name="like"/> is: with --device auto, no quiet fallback to the CPU.</summary>
    public ComputeDevice OpenLike(ComputeDevice like, ParseResult result, TextWriter log) => Open(like.Kind, result, log);

    private ComputeDevice Open(DeviceKind kind, ParseResult result, TextWriter log) =>
        Open(kind, result.GetValue(CpuThreads), new CudaBackendOptions { Precision = Precision.ValueIn(result), Deterministic = result.GetValue(Deterministic) }, log);

    private static Option<string> CreateModel() =>
        ChoiceOption.Create("--model", $"Network preset: {string.Join(", ", ModelPresets.Names)}.", "compact", ModelPresets.Names);
}
