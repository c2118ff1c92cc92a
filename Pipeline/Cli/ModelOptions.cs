using System.CommandLine;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>--model, --device and --cpu-threads, shared by the verbs that build a network.</summary>
internal sealed class ModelOptions
{
    public Option<string> Model { get; } = CreateModel();

    public Option<DeviceKind> Device { get; } = new("--device")
    {
        Description = "Where to run the network: auto (CUDA when it loads, else the CPU, saying why), cpu or cuda.",
        DefaultValueFactory = _ => DeviceKind.Auto,
    };

    public Option<int> CpuThreads { get; } = RangedOption.Create("--cpu-threads", "Threads of the CPU backend.", Environment.ProcessorCount, 1, 1024);

    public void AddTo(Command command, bool withModel = true)
    {
        if (withModel)
        {
            command.Add(Model);
        }

        command.Add(Device);
        command.Add(CpuThreads);
    }

    /// <summary>Opens the device and prints which one and why; --device cuda without CUDA is an error (exit 2).</summary>
    public static ComputeDevice Open(DeviceKind kind, int cpuThreads, TextWriter log)
    {
        var device = BackendFactory.Create(kind, new CpuBackendOptions { Threads = cpuThreads });
        log.WriteLine($"device: {device.Name}, {device.Description} ({device.Reason})");
        return device;
    }

    private static Option<string> CreateModel()
    {
        var option = new Option<string>("--model")
        {
            Description = $"Network preset: {string.Join(", ", ModelPresets.Names)}.",
            DefaultValueFactory = _ => "compact",
        };
        option.AcceptOnlyFromAmong([.. ModelPresets.Names]);
        return option;
    }
}
