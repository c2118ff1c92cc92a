using CatsDogs.Model.Backends;

namespace CatsDogs.Model.Layers;

internal static class ParameterFactory
{
    /// <summary>A zero-filled parameter and its gradient.</summary>
    public static Parameter Create(IBackend backend, string name, TensorShape shape) =>
        new(name, backend.Allocate(shape), backend.Allocate(shape));
}
