using System.Collections.Concurrent;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Memory;
using CatsDogs.Model.Optim;
using CatsDogs.Model.Specs;
using CatsDogs.Model.Training;
using CatsDogs.Tests.Model.Backends;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Model.Training;

/// <summary>
/// One training step's gradients, for every parameter tensor of a network, against central finite
/// differences of the loss of a float64 <see cref="ReferenceNetwork"/> built from the same weights,
/// images and dropout masks. The backends compute in float32 only, so the float64 side is the
/// reference alone: its differences (step 1e-5, truncation error about 1e-10) stand for the exact
/// gradient, and what remains is the backend's float32 rounding. Per tensor the check samples the
/// element with the largest gradient, where a wrong sign shows most, and a few at random; its error
/// is the largest difference over them relative to the tensor's largest gradient, as the op suite
/// measures ops (<see cref="GradientCheck.RelativeError"/>).
/// </summary>
internal static class NetworkGradientCheck
{
    private const int RandomSamples = 2;
    private const ulong NetworkSeed = 17;

    // Finite differences depend only on the spec, the sizes and the sampled element (the weights,
    // images and masks follow from fixed seeds), so backends and broken variants share them, even
    // when their tests run at once: one computes, the others wait for it.
    private static readonly ConcurrentDictionary<(string Spec, int Height, int Width, int Batch, string Tensor, int Index), Lazy<double>> Differences = new();

    /// <summary>Builds <paramref name="spec"/> on <paramref name="backend"/> (which stays the caller's), runs one step on random images and checks its gradients.</summary>
    public static NetworkGradientResult Run(IBackend backend, ModelSpec spec, int height, int width, int batch)
    {
        var recorder = new DropoutSeedRecorder(backend);
        // Not disposed: that would dispose the caller's backend.
        var device = new ComputeDevice(recorder, "gradient check");
        using var images = new RandomImages(batch, height, width);
        using var network = Network.Create(spec, height, width, device, new NetworkOptions { Seed = NetworkSeed, Optimizer = new SgdConfig() });
        var weights = network.Parameters.ToDictionary(p => p.Name, p => Widen(Read(network, p.Value)));

        network.TrainStep(images.Batch);

        var networkLoss = network.TakeTrainingStatistics().MeanLoss;
        var labels = images.Batch.LabelSpan.ToArray();
        var dropouts = spec.Layers.OfType<DropoutSpec>().Select(layer => layer.Name).ToArray();
        Assert.Equal(dropouts.Length, recorder.Seeds.Count);
        var reference = new ReferenceNetwork(spec, height, width, labels, dropouts.Zip(recorder.Seeds).ToDictionary());
        var inputs = reference.Inputs(images.Planes(), name => weights[name]);
        var samples = network.Parameters.Select((p, i) =>
        {
            var gradient = Read(network, p.Gradient);
            return (p.Name, Gradient: gradient, Indices: Sample(gradient, i));
        }).ToArray();

        double Difference(string tensor, int index) => Differences.GetOrAdd((spec.Name, height, width, batch, tensor, index), _ => new Lazy<double>(() =>
        {
            var layer = reference.LayerOf(tensor);
            var theta = (double[])weights[tensor].Clone();
            return GradientCheck.Numerical(theta, index, () => reference.LossFrom(layer, inputs, name => name == tensor ? theta : weights[name]));
        })).Value;

        Parallel.ForEach(samples.SelectMany(s => s.Indices.Select(index => (s.Name, index))), job => Difference(job.Name, job.index));
        var tensors = samples.Select(s =>
        {
            var numerical = s.Indices.Select(index => Difference(s.Name, index)).ToArray();
            var scale = Math.Max(Math.Max(s.Gradient.Max(Math.Abs), numerical.Max(Math.Abs)), 1e-12);
            var error = s.Indices.Select((index, i) => Math.Abs(s.Gradient[index] - numerical[i])).Max() / scale;
            return new TensorGradient(s.Name, error, s.Indices.Length);
        }).ToArray();
        return new NetworkGradientResult(networkLoss, reference.LossFrom(0, inputs, name => weights[name]), tensors);
    }

    /// <summary>The index of the largest gradient, and up to <see cref="RandomSamples"/> more, drawn from the tensor's position in the network.</summary>
    private static int[] Sample(float[] gradient, int tensor)
    {
        var largest = Array.IndexOf(gradient, gradient.MaxBy(Math.Abs));
        var random = new Random(tensor);
        return [.. new[] { largest }.Concat(Enumerable.Range(0, RandomSamples).Select(_ => random.Next(gradient.Length))).Distinct()];
    }

    private static float[] Read(Network network, Tensor tensor)
    {
        var values = new float[tensor.Shape.Count];
        network.Backend.Download(tensor, values);
        return values;
    }

    private static double[] Widen(float[] values) => [.. values.Select(v => (double)v)];

    /// <summary>Random pixels with alternating labels, as one batch in native memory.</summary>
    private sealed class RandomImages : IDisposable
    {
        private readonly HostMemory _pixels;
        private readonly HostMemory _labels;

        public RandomImages(int count, int height, int width)
        {
            var bytes = count * height * width * HostImageBatch.Channels;
            _pixels = AlignedHostAllocator.Instance.Allocate(bytes);
            _labels = AlignedHostAllocator.Instance.Allocate(count * sizeof(float));
            new Random(3).NextBytes(_pixels.AsSpan(0, bytes));
            var labels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(_labels.AsSpan(0, count * sizeof(float)));
            for (var i = 0; i < count; i++)
            {
                labels[i] = i % 2;
            }

            Batch = new HostImageBatch(_pixels.Pointer, _labels.Pointer, count, height, width);
        }

        public HostImageBatch Batch { get; }

        /// <summary>The images as a backend loads them, [N, 3, H, W] in [0, 1], each value the float the backends compute.</summary>
        public double[] Planes()
        {
            var pixels = Batch.PixelSpan;
            var plane = Batch.Height * Batch.Width;
            var planes = new double[Batch.Count * HostImageBatch.Channels * plane];
            for (var i = 0; i < planes.Length; i++)
            {
                var (n, c, p) = (i / (3 * plane), i / plane % 3, i % plane);
                planes[i] = pixels[(n * plane + p) * 3 + c] * (1f / 255f);
            }

            return planes;
        }

        public void Dispose()
        {
            _pixels.Dispose();
            _labels.Dispose();
        }
    }
}

/// <summary>A network step's loss as the network and the float64 reference computed it, and the check of each parameter tensor.</summary>
internal sealed record NetworkGradientResult(double NetworkLoss, double ReferenceLoss, IReadOnlyList<TensorGradient> Tensors);

/// <summary>One parameter tensor: the largest difference from the finite differences over its sampled elements, relative to its largest gradient.</summary>
internal sealed record TensorGradient(string Name, double Error, int Samples);
