using System.Text.Json;

namespace CatsDogs.Bench.Libtorch;

/// <summary>
/// `cpu-vs-libtorch train`'s settings: the recipe of a catsdogs run, read from its config.json (every setting resolved),
/// so that libtorch replays that run on the same split. A setting this trainer does not reproduce is refused, not ignored.
/// </summary>
internal sealed record TrainOptions(
    string Model, string Data, string SplitFile, string Test, int Epochs, int Batch, double LearningRate, double Momentum,
    double WarmupEpochs, double WeightDecay, bool Flip, int Shift, int Threads, int Seed)
{
    public static TrainOptions Parse(IReadOnlyList<string> args)
    {
        var options = new OptionPairs(args, ["--config", "--test", "--threads"]);
        var path = options.Required("--config");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var (train, input) = (root.GetProperty("train"), root.GetProperty("input"));
        var augment = input.GetProperty("augment");
        void Require(bool holds, string what)
        {
            if (!holds)
            {
                throw new NotSupportedException($"{path}: {what}; the libtorch trainer reproduces only SGD with Nesterov momentum, " +
                    "a cosine schedule, no label smoothing, and flip plus whole-pixel shifts.");
            }
        }

        Require(train.GetProperty("optimizer").GetString() == "sgd" && train.GetProperty("nesterov").GetBoolean(), "not SGD with Nesterov");
        Require(train.GetProperty("schedule").GetString() == "cosine", "not the cosine schedule");
        Require(train.GetProperty("labelSmoothing").GetDouble() == 0, "label smoothing");
        Require(augment.GetProperty("shear").GetDouble() == 0 && augment.GetProperty("zoom").GetDouble() == 0, "shear or zoom");
        var model = train.GetProperty("model").GetString()!;
        var side = input.GetProperty("imageSize").GetInt32();
        Require(side == TorchPresets.DefaultImageSize(model), $"image size {side}, not {model}'s own");
        return new TrainOptions(
            model,
            root.GetProperty("data").GetString()!,
            root.GetProperty("splitFile").GetString()!,
            options.Required("--test"),
            train.GetProperty("epochs").GetInt32(),
            input.GetProperty("batchSize").GetInt32(),
            train.GetProperty("learningRate").GetDouble(),
            train.GetProperty("momentum").GetDouble(),
            train.GetProperty("warmupEpochs").GetDouble(),
            train.GetProperty("weightDecay").GetDouble(),
            augment.GetProperty("flip").GetBoolean(),
            (int)Math.Round(augment.GetProperty("translate").GetDouble() * side),
            options.Positive("--threads", 2),
            train.GetProperty("seed").GetInt32());
    }
}
