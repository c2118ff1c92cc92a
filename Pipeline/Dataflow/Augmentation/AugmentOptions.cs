using System.Text.Json.Serialization;

namespace CatsDogs.Pipeline.Dataflow.Augmentation;

/// <summary>
/// The random affine applied to each training image; the defaults are the original project's
/// Keras settings (horizontal_flip=True, shear_range=0.2, zoom_range=0.2). Shear is a factor
/// (x' = x + s*y, |s| up to <see cref="Shear"/>); zoom draws each axis' magnification from
/// [1 - <see cref="Zoom"/>, 1 + <see cref="Zoom"/>] independently, as Keras does. Translate shifts the image along
/// each axis by up to that share of its side, rounded to whole pixels, edge pixels filling in (Keras' width_shift_range and
/// height_shift_range, or CIFAR's padded random crop with the edge repeated instead of zeros); off by default.
/// </summary>
internal sealed record AugmentOptions(bool Flip = true, double Shear = 0.2, double Zoom = 0.2, double Translate = 0)
{
    public static AugmentOptions None { get; } = new(false, 0, 0);

    [JsonIgnore]
    public bool IsIdentity => !Flip && Shear == 0 && Zoom == 0 && Translate == 0;
}
