namespace CatsDogs.Bench.Libtorch;

/// <summary>The command line, with the names `catsdogs bench model` uses (--threads for --cpu-threads).</summary>
internal sealed record BenchOptions(string Model, int Batch, int Steps, int Warmup, int ImageSize, int Threads)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new OptionPairs(args, ["--model", "--batch", "--steps", "--warmup", "--image-size", "--threads"]);
        var model = options.Text("--model", "compact");
        return new BenchOptions(model, options.Positive("--batch", 64), options.Positive("--steps", 20), options.Positive("--warmup", 3),
            options.Positive("--image-size", TorchPresets.DefaultImageSize(model)), options.Positive("--threads", 2));
    }
}
