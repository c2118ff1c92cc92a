using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Layers;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;

namespace CatsDogs.Model.Checkpoints;

/// <summary>
/// Saves and restores a network with everything needed to continue training bit-exactly (on the
/// CPU with one thread): weights, batch norm statistics and optimizer moments in a safetensors
/// file, and a JSON state (epoch, step, learning rate, optimizer, RNG, spec, split hash).
/// <para>
/// A save writes <c>{name}.step{N}.safetensors</c> first and <c>{name}.json</c> last, each
/// atomically. The JSON names the weights file and its SHA-256, so it is the commit point: a
/// crash or failed write at any moment leaves the previous JSON pointing at the previous,
/// still present, weights. Older weight files of the same name are removed after the commit.
/// </para>
/// </summary>
public static class Checkpoint
{
    /// <summary>Saves into <paramref name="directory"/> under <paramref name="name"/> ("last", "best"); returns the JSON path.</summary>
    public static string Save(Network network, string directory, string name, CheckpointInfo info)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var weightsFile = $"{name}.step{network.Step.ToString(CultureInfo.InvariantCulture)}.safetensors";
        var weights = SafeTensors.Serialize(ReadTensors(network, network.SavedTensors), new Dictionary<string, string>
        {
            ["format"] = "catsdogs",
            ["model"] = network.Spec.Name,
            ["step"] = network.Step.ToString(CultureInfo.InvariantCulture),
        });
        AtomicFile.Write(Path.Combine(directory, weightsFile), stream => stream.Write(weights));

        var state = new CheckpointState
        {
            Model = network.Spec.Name,
            ImageHeight = network.ImageHeight,
            ImageWidth = network.ImageWidth,
            TrainableParameters = network.ParameterCount,
            Epoch = info.Epoch,
            Step = network.Step,
            LearningRate = network.LearningRate,
            Optimizer = network.Options.Optimizer,
            ClipGradientNorm = network.Options.ClipGradientNorm,
            LabelSmoothing = network.Options.LabelSmoothing,
            Random = new RandomState(RandomState.CounterSplitMix64, network.Options.Seed, network.Step),
            SplitHash = info.SplitHash,
            WeightsFile = weightsFile,
            WeightsSha256 = Convert.ToHexStringLower(SHA256.HashData(weights)),
            Trainer = info.TrainerState,
        };
        var statePath = Path.Combine(directory, $"{name}.json");
        AtomicFile.Write(statePath, stream => JsonSerializer.Serialize(stream, state, CheckpointStateJson.Default.CheckpointState));
        RemoveStaleWeights(directory, name, weightsFile);
        return statePath;
    }

    /// <summary>
    /// Rebuilds the network saved at <paramref name="statePath"/> (a "{name}.json") on
    /// <paramref name="device"/>; it continues from the saved step and learning rate.
    /// </summary>
    public static LoadedCheckpoint Load(string statePath, ComputeDevice device)
    {
        var state = ReadState(statePath);
        var weightsPath = WeightsPath(statePath, state);
        var weights = File.ReadAllBytes(weightsPath);
        if (Convert.ToHexStringLower(SHA256.HashData(weights)) != state.WeightsSha256)
        {
            throw new InvalidDataException($"'{weightsPath}' does not have the SHA-256 that '{statePath}' records; the checkpoint was changed after it was saved.");
        }

        var options = new NetworkOptions
        {
            Seed = state.Random.Seed,
            Optimizer = state.Optimizer,
            LearningRate = state.LearningRate,
            ClipGradientNorm = state.ClipGradientNorm,
            LabelSmoothing = state.LabelSmoothing,
        };
        var network = Network.Create(ModelPresets.Get(state.Model), state.ImageHeight, state.ImageWidth, device, options);
        try
        {
            Restore(network, SafeTensors.Deserialize(weights).Tensors, weightsPath);
            network.Step = state.Step;
        }
        catch
        {
            network.Dispose();
            throw;
        }

        return new LoadedCheckpoint(network, InfoOf(state));
    }

    /// <summary>
    /// What <see cref="Load"/> would restore, without a device or the weights: reads and checks the
    /// JSON and that the weights file it names is there, so that a verb can refuse a bad checkpoint first.
    /// </summary>
    public static CheckpointInfo Inspect(string statePath)
    {
        var state = ReadState(statePath);
        WeightsPath(statePath, state);
        return InfoOf(state);
    }

    /// <summary>The natural shape of a tensor: NCHW with trailing 1s dropped ([units, inputs] for dense weights, [C] for vectors).</summary>
    internal static int[] Dimensions(TensorShape shape)
    {
        int[] all = [shape.N, shape.C, shape.H, shape.W];
        var length = all.Length;
        while (length > 1 && all[length - 1] == 1)
        {
            length--;
        }

        return all[..length];
    }

    private static CheckpointInfo InfoOf(CheckpointState state) => new(state.Epoch, state.SplitHash) { TrainerState = state.Trainer };

    private static string WeightsPath(string statePath, CheckpointState state)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, state.WeightsFile);
        return File.Exists(path)
            ? path
            : throw new InvalidDataException($"The weights file '{path}' that '{statePath}' names is missing; a checkpoint is its .json and that file together.");
    }

    private static CheckpointState ReadState(string statePath)
    {
        CheckpointState state;
        try
        {
            using var stream = File.OpenRead(statePath);
            state = JsonSerializer.Deserialize(stream, CheckpointStateJson.Default.CheckpointState)
                ?? throw new InvalidDataException($"'{statePath}' holds no checkpoint state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"'{statePath}' is not a checkpoint this version can read (give the .json that training wrote in checkpoints/, such as best.json): {e.Message}");
        }

        if (state.Format != CheckpointState.CurrentFormat || state.Random.Generator != RandomState.CounterSplitMix64)
        {
            throw new InvalidDataException($"'{statePath}' has format {state.Format} and RNG '{state.Random.Generator}'; this build reads format {CheckpointState.CurrentFormat} with '{RandomState.CounterSplitMix64}'.");
        }

        return state;
    }

    /// <summary>Copies <paramref name="tensors"/> of <paramref name="network"/> to the host, under their names and natural shapes.</summary>
    internal static List<SafeTensor> ReadTensors(Network network, IEnumerable<NamedTensor> tensors) =>
        tensors.Select(named =>
        {
            var values = new float[named.Tensor.Shape.Count];
            network.Backend.Download(named.Tensor, values);
            return new SafeTensor(named.Name, Dimensions(named.Tensor.Shape), values);
        }).ToList();

    private static void Restore(Network network, IReadOnlyList<SafeTensor> saved, string weightsPath)
    {
        var byName = saved.ToDictionary(tensor => tensor.Name, StringComparer.Ordinal);
        var expected = network.SavedTensors.ToList();
        var missing = expected.Where(named => !byName.ContainsKey(named.Name)).Select(named => named.Name).ToList();
        var extra = byName.Keys.Except(expected.Select(named => named.Name)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            throw new InvalidDataException($"'{weightsPath}' does not fit model '{network.Spec.Name}': missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].");
        }

        foreach (var named in expected)
        {
            var tensor = byName[named.Name];
            var dimensions = Dimensions(named.Tensor.Shape);
            if (!tensor.Shape.SequenceEqual(dimensions))
            {
                throw new InvalidDataException($"'{weightsPath}': tensor '{named.Name}' has shape [{string.Join(", ", tensor.Shape)}] but the model needs [{string.Join(", ", dimensions)}].");
            }

            network.Backend.Upload(tensor.Data, named.Tensor);
        }
    }

    private static void RemoveStaleWeights(string directory, string name, string current)
    {
        foreach (var path in Directory.EnumerateFiles(directory, $"{name}.step*.safetensors"))
        {
            if (Path.GetFileName(path) != current)
            {
                try
                {
                    File.Delete(path);
                }
                catch (IOException)
                {
                    // The new checkpoint is committed; an old file left behind only costs disk space.
                }
            }
        }
    }
}
