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
    public static int DefaultImageSize(string name) => name is "compact" or "vgg6" or "resnet9" ? 32 : 64;

    /// <summary>
    /// The factor CudnnModel's preset applies to its head's output (DenseSpec.Scale): 0.125 for vgg6 and resnet9. The
    /// modules leave it out, one multiply per image that the throughput benchmark does not need; training applies it.
    /// </summary>
    public static double HeadScale(string name) => name is "vgg6" or "resnet9" ? 0.125 : 1.0;

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
        ("vgg6", _) => 573_857,
        ("resnet9", _) => 1_643_809,
        _ => -1,
    };

    public static nn.Module<Tensor, Tensor> Create(string name, int imageSize) => name switch
    {
        "baseline" => Baseline(imageSize),
        "deep6" => Deep6(imageSize),
        "compact" => Compact(),
        "vgg6" => Vgg6(),
        "resnet9" => Resnet9(),
        _ => throw new ArgumentException($"Unknown model '{name}'. Known models: baseline, deep6, compact, vgg6, resnet9.", nameof(name)),
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
        var net = new ConvNet();
        net.Block(1, 32);
        net.Block(2, 32);
        net.Pool("pool1");
        net.Block(3, 64);
        net.Block(4, 64);
        net.Pool("pool2");
        net.Block(5, 128);
        return net.Head();
    }

    /// <summary>
    /// conv-BN-ReLU at 32 and pool; two at 64 and pool; two at 128 and pool; one at 256; global average pooling,
    /// dense 1. CudnnModel scales the head's output by 0.125 (<see cref="HeadScale"/>), left out of the module.
    /// </summary>
    private static nn.Module<Tensor, Tensor> Vgg6()
    {
        var net = new ConvNet();
        net.Block(1, 32);
        net.Pool("pool1");
        net.Block(2, 64);
        net.Block(3, 64);
        net.Pool("pool3");
        net.Block(4, 128);
        net.Block(5, 128);
        net.Pool("pool5");
        net.Block(6, 256);
        return net.Head();
    }

    /// <summary>
    /// conv-BN-ReLU at 32; at 64 and pool; a residual block of two at 64; at 128 and pool; at 256 and pool; a
    /// residual block at 256; global average pooling, dense 1. A residual block adds its input to its output.
    /// </summary>
    private static nn.Module<Tensor, Tensor> Resnet9()
    {
        var net = new ConvNet();
        net.Block(1, 32);
        net.Block(2, 64);
        net.Pool("pool2");
        net.Residual("res1", 3, 4);
        net.Block(5, 128);
        net.Pool("pool5");
        net.Block(6, 256);
        net.Pool("pool6");
        net.Residual("res2", 7, 8);
        return net.Head();
    }

    /// <summary>A preset's layers as they are added, named as CudnnModel names them, and the channels they end with.</summary>
    private sealed class ConvNet
    {
        private readonly List<(string, nn.Module<Tensor, Tensor>)> _layers = [];
        private long _channels = 3;

        public void Block(int index, long filters) => _layers.AddRange(Layers(index, filters));

        public void Pool(string name) => _layers.Add((name, nn.MaxPool2d(2)));

        /// <summary>Two blocks at the current width, whose output is added to their input.</summary>
        public void Residual(string name, int first, int second) =>
            _layers.Add((name, new ResidualBlock(name, nn.Sequential([.. Layers(first, _channels), .. Layers(second, _channels)]))));

        public nn.Module<Tensor, Tensor> Head()
        {
            _layers.Add(("gap", nn.AdaptiveAvgPool2d(1)));
            _layers.Add(("flatten", nn.Flatten()));
            _layers.Add(("output", nn.Linear(_channels, 1)));
            return nn.Sequential(_layers);
        }

        private List<(string, nn.Module<Tensor, Tensor>)> Layers(int index, long filters)
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>
            {
                ($"conv{index}", nn.Conv2d(_channels, filters, 3, padding: 1, bias: false)),
                ($"bn{index}", nn.BatchNorm2d(filters, eps: 1e-5, momentum: 0.1)),
                ($"relu{index}", nn.ReLU()),
            };
            _channels = filters;
            return layers;
        }
    }

    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _body;

        public ResidualBlock(string name, nn.Module<Tensor, Tensor> body)
            : base(name)
        {
            _body = body;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => input + _body.forward(input);
    }
}
