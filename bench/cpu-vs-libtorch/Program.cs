using System.Globalization;
using CatsDogs.Bench.Libtorch;
using TorchSharp;

// cpu-vs-libtorch --model NAME [--batch 64] [--steps 20] [--warmup 3] [--image-size N] [--threads 2]
// Prints one human line and one key=value line in the format of `catsdogs bench model`.
// cpu-vs-libtorch train --config RUN/config.json --test DIR [--threads 2]
// Replays a catsdogs run's recipe on its split; prints one CSV row per epoch (time to accuracy).
if (args.Length > 0 && args[0] == "train")
{
    TimeToAccuracy.Run(TrainOptions.Parse(args[1..]));
    return 0;
}

var options = BenchOptions.Parse(args);
torch.set_num_threads(options.Threads);
torch.manual_seed(1);

using var net = TorchPresets.Create(options.Model, options.ImageSize);
var trainable = net.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
var expected = TorchPresets.ExpectedParameters(options.Model, options.ImageSize);
if (expected >= 0 && trainable != expected)
{
    Console.Error.WriteLine($"{options.Model}: {trainable:N0} trainable parameters, CudnnModel's preset has {expected:N0}; not the same net.");
    return 1;
}

var result = TrainingBenchmark.Run(net, options.ImageSize, options.Batch, options.Warmup, options.Steps);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"libtorch {torch.__version__} ({torch.get_num_threads()} threads): {options.Model} at {options.ImageSize}x{options.ImageSize}, " +
    $"batch {result.BatchSize}, fp32 NCHW, {trainable:N0} trainable parameters: {result.ImagesPerSecond:F0} images/s " +
    $"({result.Steps} steps in {result.Seconds:F2} s, last loss {result.FinalLoss:F4})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"result model={options.Model} batch={result.BatchSize} images_per_second={result.ImagesPerSecond:F1}"));
return 0;
