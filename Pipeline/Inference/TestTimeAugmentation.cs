using CatsDogs.Pipeline.Dataflow.Augmentation;

namespace CatsDogs.Pipeline.Inference;

/// <summary>What evaluate and predict show the network besides each image (--tta); P(dog) is the mean over the views.</summary>
internal enum TestTimeAugmentation
{
    /// <summary>The image alone.</summary>
    None,

    /// <summary>The image and its horizontal mirror: a cat facing left is as much a cat facing right.</summary>
    Flip,

    /// <summary>
    /// The image and its mirror, each also shifted one pixel diagonally either way: six views. The training's random
    /// translation taught the network every such position, and a pixel's shift still shows the whole animal.
    /// </summary>
    FlipShift,
}

internal static class TestTimeAugmentationViews
{
    private static readonly TileView[] Plain = [TileView.Identity];
    private static readonly TileView[] Mirrored = [TileView.Identity, new(Mirror: true)];
    private static readonly TileView[] MirroredAndShifted =
        [.. new[] { false, true }.SelectMany(mirror => new[] { new TileView(mirror), new TileView(mirror, 1, 1), new TileView(mirror, -1, -1) })];

    /// <summary>The views P(dog) is averaged over, the image as it is first.</summary>
    public static IReadOnlyList<TileView> Views(this TestTimeAugmentation tta) => tta switch
    {
        TestTimeAugmentation.None => Plain,
        TestTimeAugmentation.Flip => Mirrored,
        TestTimeAugmentation.FlipShift => MirroredAndShifted,
        _ => throw new ArgumentOutOfRangeException(nameof(tta), tta, null),
    };

    /// <summary>What each image's score averages, for a report's line: empty for none.</summary>
    public static string Describe(this TestTimeAugmentation tta) => tta switch
    {
        TestTimeAugmentation.None => "",
        TestTimeAugmentation.Flip => "averaged with its mirror image",
        TestTimeAugmentation.FlipShift => "averaged over 6 views: itself and its mirror, each also shifted one pixel diagonally either way",
        _ => throw new ArgumentOutOfRangeException(nameof(tta), tta, null),
    };
}
