using TorchSharp;
using static TorchSharp.torch;

namespace CatsDogs.Bench.Libtorch;

/// <summary>
/// CudnnModel's presets (CudnnModel/Specs/ModelPresets.cs) rebuilt layer for layer from
/// torch.nn modules: 3x3 convolutions, stride 1, padding 1 ('same'); non-overlapping 2x2 max
/// pooling; batch norm with PyTorch's momentum 0.1 and epsilon 1e-5, as BatchNormSpec.
/// </summary>
internal static class TorchPresets
{
    /// <summary>The preset's image side when the command line gives none, as ModelSpec.DefaultImageSize.</summary>
    public static int DefaultImageSize(string name) => name == "compact" ? 32 : 64;

    /// <summary>
    /// Trainable parameters of the preset as CudnnModel counts them; a net that disagrees is not the
    /// same net, and the benchmark refuses to time it.
    /// </summary>
    public static long ExpectedParameters(string name, int imageSize) => (name, imageSize) switch
    {
        ("baseline", 64) => 4_195_457,
        ("deep6", 64) => 6_305_401,
        // Global average pooling makes compact's count independent of the image size.
        ("compact", _) => 139_873,
        _ => -1,
    };

    public static nn.Module<Tensor, Tensor> Create(string name, int imageSize) => name switch
    {
        "baseline" => Baseline(imageSize),
        "deep6" => Deep6(imageSize),
        "compact" => Compact(),
        _ => throw new ArgumentException($"Unknown model '{name}'. Known models: baseline, deep6, compact.", nameof(name)),
    };

    /// <summary>conv 3x3 32 + ReLU, max-pool 2, flatten, dense 128 + ReLU, dropout 0.5, dense 1.</summary>
    private static nn.Module<Tensor, Tensor> Baseline(int imageSize)
    {
        var pooled = imageSize / 2;
        return nn.Sequential(
            ("conv1", nn.Conv2d(3, 32, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("dense1", nn.Linear(32L * pooled * pooled, 128)),
            ("relu2", nn.ReLU()),
            ("dropout", nn.Dropout(0.5)),
            ("output", nn.Linear(128, 1)));
    }

    /// <summary>Six blocks of conv 3x3 (100 i filters, bias) + ReLU + max-pool 2, flatten, dense 1.</summary>
    private static nn.Module<Tensor, Tensor> Deep6(int imageSize)
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = 3;
        var side = imageSize;
        for (var i = 1; i <= 6; i++)
        {
            layers.Add(($"conv{i}", nn.Conv2d(channels, 100 * i, 3, padding: 1)));
            layers.Add(($"relu{i}", nn.ReLU()));
            layers.Add(($"pool{i}", nn.MaxPool2d(2)));
            channels = 100 * i;
            side /= 2;
        }

        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("output", nn.Linear(channels * side * side, 1)));
        return nn.Sequential(layers);
    }

    /// <summary>
    /// (conv-BN-ReLU) x2 at 32, pool, x2 at 64, pool, one at 128, global average pooling, dense 1.
    /// The convolutions carry no bias: batch norm's beta replaces it.
    /// </summary>
    private static nn.Module<Tensor, Tensor> Compact()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        long channels = 3;
        void Block(int index, long filters)
        {
            layers.Add(($"conv{index}", nn.Conv2d(channels, filters, 3, padding: 1, bias: false)));
            layers.Add(($"bn{index}", nn.BatchNorm2d(filters, eps: 1e-5, momentum: 0.1)));
            layers.Add(($"relu{index}", nn.ReLU()));
            channels = filters;
        }

        Block(1, 32);
        Block(2, 32);
        layers.Add(("pool1", nn.MaxPool2d(2)));
        Block(3, 64);
        Block(4, 64);
        layers.Add(("pool2", nn.MaxPool2d(2)));
        Block(5, 128);
        layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", nn.Flatten()));
        layers.Add(("output", nn.Linear(channels, 1)));
        return nn.Sequential(layers);
    }
}
