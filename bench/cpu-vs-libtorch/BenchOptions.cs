using System.Globalization;

namespace CatsDogs.Bench.Libtorch;

/// <summary>The command line, with the names `catsdogs bench model` uses (--threads for --cpu-threads).</summary>
internal sealed record BenchOptions(string Model, int Batch, int Steps, int Warmup, int ImageSize, int Threads)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            }

            values[args[i]] = args[i + 1];
        }

        var known = new[] { "--model", "--batch", "--steps", "--warmup", "--image-size", "--threads" };
        if (values.Keys.FirstOrDefault(key => !known.Contains(key)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option '{unknown}'. Known: {string.Join(", ", known)}.");
        }

        var model = values.GetValueOrDefault("--model", "compact");
        int Number(string name, int fallback)
        {
            var value = values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
            return value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }

        return new BenchOptions(model, Number("--batch", 64), Number("--steps", 20), Number("--warmup", 3),
            Number("--image-size", TorchPresets.DefaultImageSize(model)), Number("--threads", 2));
    }
}
