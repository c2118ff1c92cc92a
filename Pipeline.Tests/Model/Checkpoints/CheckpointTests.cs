using System.Text.Json.Nodes;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cpu;
using CatsDogs.Model.Checkpoints;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Tests.Model.Training;

namespace CatsDogs.Tests.Model.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private const int Size = 16;
    private readonly string _folder = Directory.CreateTempSubdirectory("catsdogs-checkpoint-").FullName;
    private readonly ComputeDevice _device = new(new CpuBackend(new CpuBackendOptions { Threads = 1 }), "test");
    private readonly StripeImages _images = new(96, Size, seed: 5);

    public static TheoryData<string, string> Models => new()
    {
        { "baseline", "adamw" },
        { "compact", "sgd" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_resumed_run_continues_bit_exactly(string model, string optimizer)
    {
        var spec = ModelPresets.Get(model);
        var options = new NetworkOptions
        {
            Seed = 42,
            LearningRate = 0.01f,
            Optimizer = optimizer == "sgd" ? new SgdConfig { Nesterov = true, WeightDecay = 1e-3f } : new AdamWConfig(),
            ClipGradientNorm = 5f,
            LabelSmoothing = 0.1f,
        };
        using var original = Network.Create(spec, Size, Size, _device, options);
        Train(original, 0, 3);
        var statePath = Checkpoint.Save(original, _folder, "last", new CheckpointInfo(2, "split-abc") { TrainerState = new JsonObject { ["best"] = 0.5 } });
        Train(original, 3, 6);

        var (resumed, info) = Checkpoint.Load(statePath, _device);
        using (resumed)
        {
            Assert.Equal(3, resumed.Step);
            Assert.Equal(2, info.Epoch);
            Assert.Equal("split-abc", info.SplitHash);
            Assert.Equal(0.5, info.TrainerState!["best"]!.GetValue<double>());
            Train(resumed, 3, 6);

            Assert.Equal(Bits(original), Bits(resumed));
        }
    }

    [Fact]
    public void A_failed_save_keeps_the_previous_checkpoint_loadable()
    {
        using var network = Network.Create(ModelPresets.Baseline, Size, Size, _device, new NetworkOptions { Seed = 1 });
        Train(network, 0, 1);
        var statePath = Checkpoint.Save(network, _folder, "last", new CheckpointInfo(0, "split"));
        var saved = Bits(network);
        Train(network, 1, 2);
        // A folder where the next weights file must go makes its rename fail, like a full disk would.
        Directory.CreateDirectory(Path.Combine(_folder, "last.step2.safetensors"));

        var error = Assert.Throws<IOException>(() => Checkpoint.Save(network, _folder, "last", new CheckpointInfo(1, "split")));

        Assert.Contains("last.step2.safetensors", error.Message);
        var (restored, info) = Checkpoint.Load(statePath, _device);
        using (restored)
        {
            Assert.Equal(0, info.Epoch);
            Assert.Equal(saved, Bits(restored));
        }
    }

    [Fact]
    public void Saving_again_commits_the_new_weights_and_removes_the_old_file()
    {
        using var network = Network.Create(NetworkTests.Tiny, Size, Size, _device, new NetworkOptions());
        Checkpoint.Save(network, _folder, "last", new CheckpointInfo(0, "split"));
        Train(network, 0, 1);

        Checkpoint.Save(network, _folder, "last", new CheckpointInfo(1, "split"));

        Assert.Equal(["last.json", "last.step1.safetensors"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Changed_weights_are_detected_on_load()
    {
        using var network = Network.Create(NetworkTests.Tiny, Size, Size, _device, new NetworkOptions());
        var statePath = Checkpoint.Save(network, _folder, "best", new CheckpointInfo(0, "split"));
        var weights = Path.Combine(_folder, "best.step0.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 1;
        File.WriteAllBytes(weights, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(statePath, _device));
        Assert.Contains("SHA-256", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"format\": 1, \"model\": \"tiny\"")]
    [InlineData("{}")]
    [InlineData("SAFETENSORS-LIKE BYTES")]
    public void A_file_that_is_no_checkpoint_state_is_refused_with_what_to_give_instead(string content)
    {
        var statePath = Path.Combine(_folder, "damaged.json");
        File.WriteAllText(statePath, content);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(statePath, _device));
        Assert.Contains("is not a checkpoint this version can read (give the .json that training wrote in checkpoints/", error.Message);
    }

    public void Dispose()
    {
        _images.Dispose();
        _device.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int[] Bits(Network network) => NetworkTests.ReadAll(network).Select(BitConverter.SingleToInt32Bits).ToArray();

    private void Train(Network network, int firstStep, int endStep)
    {
        for (var step = firstStep; step < endStep; step++)
        {
            network.LearningRate = 0.01f / (1 + step);
            network.TrainStep(_images.Batch(step % 3 * 32, 32));
        }
    }
}
