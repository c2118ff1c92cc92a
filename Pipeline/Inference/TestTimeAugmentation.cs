namespace CatsDogs.Pipeline.Inference;

/// <summary>What evaluate and predict show the network besides each image (--tta).</summary>
internal enum TestTimeAugmentation
{
    /// <summary>The image alone.</summary>
    None,

    /// <summary>The image and its horizontal mirror, their P(dog) averaged: a cat facing left is as much a cat facing right.</summary>
    Flip,
}
