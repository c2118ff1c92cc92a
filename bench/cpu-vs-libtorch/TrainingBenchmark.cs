using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace CatsDogs.Bench.Libtorch;

internal sealed record TrainingResult(int Steps, int BatchSize, double Seconds, double FinalLoss)
{
    public double ImagesPerSecond => Steps * BatchSize / Seconds;
}

/// <summary>
/// Times training steps the way CudnnModel's ModelBenchmark does: a few distinct generated
/// batches of 8-bit HWC images, untimed warm-up steps first, then timed steps that each convert
/// the batch to fp32 NCHW (as Network.TrainStep loads its host batch), run forward, sigmoid
/// cross-entropy, backward and SGD (momentum 0.9, no weight decay, learning rate 0.01, as
/// NetworkOptions' defaults). The CPU backend of libtorch is synchronous, so the clock needs
/// no device wait.
/// </summary>
internal static class TrainingBenchmark
{
    // As ModelBenchmark: a handful of batches, so that a step never sees the previous one's input.
    private const int DistinctBatches = 4;

    public static TrainingResult Run(nn.Module<Tensor, Tensor> net, int imageSize, int batchSize, int warmupSteps, int steps)
    {
        var images = new Tensor[DistinctBatches];
        var labels = new Tensor[DistinctBatches];
        for (var i = 0; i < DistinctBatches; i++)
        {
            images[i] = randint(0, 256, [batchSize, imageSize, imageSize, 3], dtype: ScalarType.Byte);
            labels[i] = (arange(batchSize, dtype: ScalarType.Float32) % 2).reshape(batchSize, 1);
        }

        using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9);
        net.train();
        for (var step = 0; step < warmupSteps; step++)
        {
            Step(net, optimizer, images[step % DistinctBatches], labels[step % DistinctBatches]);
        }

        var clock = Stopwatch.StartNew();
        var loss = 0.0;
        for (var step = 0; step < steps; step++)
        {
            loss = Step(net, optimizer, images[step % DistinctBatches], labels[step % DistinctBatches], readLoss: step == steps - 1);
        }

        clock.Stop();
        foreach (var tensor in images.Concat(labels))
        {
            tensor.Dispose();
        }

        return new TrainingResult(steps, batchSize, clock.Elapsed.TotalSeconds, loss);
    }

    private static double Step(nn.Module<Tensor, Tensor> net, optim.Optimizer optimizer, Tensor pixels, Tensor labels, bool readLoss = false)
    {
        // Every temporary of the step dies with the scope, not with a later garbage collection.
        using var scope = NewDisposeScope();
        var x = pixels.to(ScalarType.Float32).div_(255).permute(0, 3, 1, 2).contiguous();
        optimizer.zero_grad();
        var loss = nn.functional.binary_cross_entropy_with_logits(net.forward(x), labels);
        loss.backward();
        optimizer.step();
        return readLoss ? loss.item<float>() : double.NaN;
    }
}
