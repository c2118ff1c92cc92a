using System.Text.Json.Serialization;

namespace CatsDogs.Model.Optim;

/// <summary>Which optimizer trains the network, with its settings. Weight decay applies to every parameter.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SgdConfig), "sgd")]
[JsonDerivedType(typeof(AdamWConfig), "adamw")]
public abstract record OptimizerConfig
{
    public float WeightDecay { get; init; }
}

/// <summary>SGD with momentum, optionally Nesterov, with L2 weight decay added to the gradient (PyTorch's SGD).</summary>
public sealed record SgdConfig : OptimizerConfig
{
    public float Momentum { get; init; } = 0.9f;

    public bool Nesterov { get; init; }
}

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), PyTorch's defaults.</summary>
public sealed record AdamWConfig : OptimizerConfig
{
    public AdamWConfig() => WeightDecay = 0.01f;

    public float Beta1 { get; init; } = 0.9f;

    public float Beta2 { get; init; } = 0.999f;

    public float Epsilon { get; init; } = 1e-8f;
}
