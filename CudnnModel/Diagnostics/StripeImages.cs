using CatsDogs.Model.Memory;

namespace CatsDogs.Model.Diagnostics;

/// <summary>
/// A separable toy data set in native memory, laid out exactly as the input pipeline delivers
/// batches: label 0 ("cat") images have horizontal stripes, label 1 ("dog") vertical ones, with
/// random period, phase, colour and noise so that a network has to learn orientation. The
/// self-test trains on it, the model benchmark feeds it, and tests use it as a separable toy set.
/// </summary>
public sealed class StripeImages : IDisposable
{
    private readonly HostMemory _pixels;
    private readonly HostMemory _labels;

    /// <summary>Makes the images in memory from <paramref name="allocator"/> (aligned native memory by default).</summary>
    public StripeImages(int count, int size, int seed, IHostMemoryAllocator? allocator = null)
    {
        Count = count;
        Size = size;
        allocator ??= AlignedHostAllocator.Instance;
        _pixels = allocator.Allocate((long)count * size * size * 3);
        _labels = allocator.Allocate(count * sizeof(float));
        var random = new Random(seed);
        var pixels = _pixels.AsSpan(0, (int)_pixels.Length);
        var labels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(_labels.AsSpan(0, count * sizeof(float)));
        for (var n = 0; n < count; n++)
        {
            var vertical = random.Next(2) == 1;
            labels[n] = vertical ? 1f : 0f;
            var period = random.Next(2, 5);
            var phase = random.Next(period);
            var colour = new[] { random.Next(128, 256), random.Next(128, 256), random.Next(128, 256) };
            for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var on = ((vertical ? x : y) + phase) % period == 0;
                for (var c = 0; c < 3; c++)
                {
                    var value = (on ? colour[c] : 40) + random.Next(-30, 31);
                    pixels[((n * size + y) * size + x) * 3 + c] = (byte)Math.Clamp(value, 0, 255);
                }
            }
        }
    }

    public int Count { get; }

    public int Size { get; }

    /// <summary>Images [start, start + count) as one batch; it points into this set's memory.</summary>
    public HostImageBatch Batch(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        var imageBytes = Size * Size * 3;
        return new HostImageBatch(_pixels.Pointer + start * imageBytes, _labels.Pointer + start * sizeof(float), count, Size, Size);
    }

    public IEnumerable<HostImageBatch> Batches(int batchSize)
    {
        for (var start = 0; start < Count; start += batchSize)
        {
            yield return Batch(start, Math.Min(batchSize, Count - start));
        }
    }

    public void Dispose()
    {
        _pixels.Dispose();
        _labels.Dispose();
    }
}
