using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace CatsDogs.Model.Backends.Cpu;

/// <summary>Sums over the planes of one channel: float within a plane, double across planes.</summary>
internal static class Reductions
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double ChannelSum(ChannelPlanes planes)
    {
        var sum = 0d;
        for (var n = 0; n < planes.Batch; n++)
        {
            sum += TensorPrimitives.Sum<float>(planes[n]);
        }

        return sum;
    }
}
