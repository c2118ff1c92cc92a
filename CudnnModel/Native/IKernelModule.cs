namespace CatsDogs.Model.Native;

/// <summary>
/// What launching compiled kernels takes: a function by name, and a one-dimensional launch whose
/// <c>args</c> hold one pointer per kernel parameter (cuLaunchKernel's kernelParams).
/// </summary>
internal unsafe interface IKernelModule : IDisposable
{
    nint Function(string name);

    void Launch(nint function, uint blocks, uint threads, nint stream, void** args);
}
