namespace CatsDogs.Pipeline.Dataflow.Internal;

internal static class EpochOrder
{
    /// <summary>
    /// The order a pass reads its images in: shuffled from (seed, epoch) for training, so the
    /// same seed gives the same order on any machine; the data set's own order otherwise.
    /// </summary>
    public static int[] Create(int count, PassKind kind, int seed, int epoch)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (kind == PassKind.Training)
        {
            var key = new Augmentation.SplitMix64((ulong)(uint)seed, (ulong)(uint)epoch, 0).NextUInt64();
            new Random((int)(key & int.MaxValue)).Shuffle(order);
        }

        return order;
    }
}
