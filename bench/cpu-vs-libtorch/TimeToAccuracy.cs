using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace CatsDogs.Bench.Libtorch;

/// <summary>
/// The libtorch side of time to accuracy: a catsdogs run's recipe (SGD with Nesterov momentum, weight decay on every
/// parameter, linear warm-up then cosine to 0 per step, sigmoid cross-entropy on one logit, flip and a shift of up to
/// <see cref="TrainOptions.Shift"/> whole pixels, pixels scaled by 1/255) on the same split, so that the two trainers can
/// be compared epoch by epoch: validation accuracy plain and with flip TTA, and test accuracy. Two differences are
/// libtorch's defaults, kept because they are what a PyTorch user gets: zeros fill in around a shifted image (catsdogs
/// repeats the edge pixels), and the weights start from PyTorch's initialisation (catsdogs: He normal, Glorot for the head).
/// The seconds are the training passes' alone; the evaluation passes after each epoch are not timed.
/// </summary>
internal static class TimeToAccuracy
{
    public static void Run(TrainOptions options)
    {
        torch.set_num_threads(options.Threads);
        torch.manual_seed(options.Seed);
        var side = TorchPresets.DefaultImageSize(options.Model);
        var headScale = TorchPresets.HeadScale(options.Model);
        var clock = Stopwatch.StartNew();
        var (train, validation) = LabeledImages.FromSplit(options.Data, options.SplitFile, side);
        var test = LabeledImages.FromClassFolders(options.Test, side);
        Console.Error.WriteLine($"decoded {train.Count} training, {validation.Count} validation and {test.Count} test images in {clock.Elapsed.TotalSeconds:F1} s");

        using var net = TorchPresets.Create(options.Model, side);
        using var optimizer = optim.SGD(net.parameters(), options.LearningRate, momentum: options.Momentum, nesterov: true, weight_decay: options.WeightDecay);
        var stepsPerEpoch = (train.Count + options.Batch - 1) / options.Batch;
        var totalSteps = (long)stepsPerEpoch * options.Epochs;
        var warmupSteps = (long)Math.Round(options.WarmupEpochs * stepsPerEpoch);
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var trainingSeconds = 0.0;
        long step = 0;
        Console.WriteLine("epoch,train_loss,train_acc,val_acc,val_acc_flip,test_acc,test_acc_flip,train_seconds,cumulative_train_seconds");
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            net.train();
            var epochClock = Stopwatch.StartNew();
            var (lossSum, correct) = (0.0, 0L);
            for (var first = 0; first < train.Count; first += options.Batch)
            {
                var rate = RateAt(step++, options.LearningRate, totalSteps, warmupSteps);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = rate;
                }

                using var scope = NewDisposeScope();
                var indices = order.AsSpan(first, Math.Min(options.Batch, train.Count - first)).ToArray();
                var (x, y) = Batch(train, indices, random, options.Flip, options.Shift);
                optimizer.zero_grad();
                var logits = net.forward(x).mul(headScale);
                var loss = nn.functional.binary_cross_entropy_with_logits(logits, y);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * indices.Length;
                correct += logits.gt(0).to(ScalarType.Float32).eq(y).sum().item<long>();
            }

            var seconds = epochClock.Elapsed.TotalSeconds;
            trainingSeconds += seconds;
            var (val, valFlip) = Accuracy(net, validation, headScale);
            var (tst, tstFlip) = Accuracy(net, test, headScale);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{epoch},{lossSum / train.Count:F4},{(double)correct / train.Count:F4},{val:F4},{valFlip:F4},{tst:F4},{tstFlip:F4},{seconds:F1},{trainingSeconds:F1}"));
        }
    }

    private static float RateAt(long step, double peak, long total, long warmup) => step < warmup
        ? (float)(peak * (step + 1) / warmup)
        : (float)(peak * 0.5 * (1 + Math.Cos(Math.PI * Math.Clamp((double)(step - warmup) / Math.Max(1, total - warmup), 0, 1))));

    /// <summary>NCHW floats in [0, 1] and [N, 1] labels; with a generator, each image draws its flip and whole-pixel shift.</summary>
    private static (Tensor X, Tensor Y) Batch(LabeledImages images, int[] indices, Random? random, bool flips, int shift)
    {
        var side = images.Side;
        var plane = side * side;
        var values = new float[indices.Length * 3 * plane];
        var labels = new float[indices.Length];
        for (var n = 0; n < indices.Length; n++)
        {
            var source = indices[n] * plane * 3;
            var flip = random is not null && flips && random.Next(2) == 1;
            var (dx, dy) = random is null ? (0, 0) : (random.Next(-shift, shift + 1), random.Next(-shift, shift + 1));
            for (var y = 0; y < side; y++)
            {
                var sy = y + dy;
                for (var x = 0; x < side; x++)
                {
                    var sx = (flip ? side - 1 - x : x) + dx;
                    if (sy < 0 || sy >= side || sx < 0 || sx >= side)
                    {
                        continue;
                    }

                    for (var c = 0; c < 3; c++)
                    {
                        values[((n * 3) + c) * plane + y * side + x] = images.Pixels[source + (sy * side + sx) * 3 + c] / 255f;
                    }
                }
            }

            labels[n] = images.Labels[indices[n]];
        }

        return (tensor(values, [indices.Length, 3, side, side]), tensor(labels, [indices.Length, 1]));
    }

    /// <summary>Accuracy in evaluation mode, plain and averaged over the image and its mirror (as catsdogs' --tta flip).</summary>
    private static (double Plain, double Flip) Accuracy(nn.Module<Tensor, Tensor> net, LabeledImages images, double headScale)
    {
        net.eval();
        using var noGrad = no_grad();
        var (plain, flip) = (0L, 0L);
        for (var first = 0; first < images.Count; first += 256)
        {
            using var scope = NewDisposeScope();
            var indices = Enumerable.Range(first, Math.Min(256, images.Count - first)).ToArray();
            var (x, y) = Batch(images, indices, null, false, 0);
            var p = sigmoid(net.forward(x).mul(headScale));
            // The mirror flips the width axis of the NCHW batch.
            var pm = sigmoid(net.forward(x.flip(3)).mul(headScale));
            plain += p.gt(0.5).to(ScalarType.Float32).eq(y).sum().item<long>();
            flip += p.add(pm).div(2).gt(0.5).to(ScalarType.Float32).eq(y).sum().item<long>();
        }

        return ((double)plain / images.Count, (double)flip / images.Count);
    }
}
