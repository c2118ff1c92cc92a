using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;

namespace CatsDogs.Model.Layers;

internal static class LayerFactory
{
    /// <summary>Builds the run-time layer for a described spec; <paramref name="seed"/> drives its initial weights.</summary>
    public static Layer Create(IBackend backend, LayerDescription description, ulong seed) => description.Spec switch
    {
        ConvolutionSpec conv => new ConvolutionLayer(backend, description, conv, seed),
        DenseSpec dense => new DenseLayer(backend, description, dense, seed),
        BatchNormSpec norm => new BatchNormLayer(backend, description, norm),
        MaxPoolSpec pool => new MaxPoolLayer(backend, description, pool),
        DropoutSpec dropout => new DropoutLayer(backend, description, dropout),
        ReluSpec => new ReluLayer(backend, description),
        GlobalAveragePoolSpec => new GlobalAveragePoolLayer(backend, description),
        FlattenSpec => new FlattenLayer(backend, description),
        ResidualAddSpec => new ResidualAddLayer(backend, description),
        var other => throw new NotSupportedException($"Layer '{other.Name}' of type {other.GetType().Name} has no run-time implementation."),
    };
}
