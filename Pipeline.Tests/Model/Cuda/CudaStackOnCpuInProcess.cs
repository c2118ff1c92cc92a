using System.Runtime.InteropServices;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Backends.Cuda;
using CatsDogs.Model.Native.Loading;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Model.Backends;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA backend inside the test process, on the CUDA stack on the CPU. The CUDA bindings of a
/// process resolve through one resolver, and a binding once resolved stays so; the product registers
/// that resolver when it loads a real CUDA stack (<see cref="CudaLibraries.Shared"/>). So this works
/// only in a process where no real CUDA stack loaded, and from then on every CUDA binding of the
/// process calls the stack on the CPU.
/// </summary>
internal static class CudaStackOnCpuInProcess
{
    private static readonly Lazy<CudaLibrarySet> Bound = new(Bind);

    /// <summary>Why the backend cannot run in this process, or null when it can.</summary>
    public static string? SkipReason =>
        NativeBuild.SkipReason
        ?? (CudaLibraries.Shared.Libraries is not null ? "this process loaded a real CUDA stack, and the CUDA bindings call it" : null);

    public static IBackend Create(CudaBackendOptions options) => CudaBackend.Create(Bound.Value, options);

    private static CudaLibrarySet Bind()
    {
        // Loading the process's own libraries first settles them: were they found after this, their
        // resolver could not be registered, nor this one before them.
        if (CudaLibraries.Shared.Libraries is not null)
        {
            throw new InvalidOperationException("This process loaded a real CUDA stack; the CUDA bindings resolve to it.");
        }

        var search = new LibrarySearch { TrySonames = false, OverrideFolders = [CudaStackOnCpu.Folder], StandardFolders = [], SitePackages = [] };
        var loaded = CudaLibraries.Load(search);
        var libraries = loaded.Libraries ?? throw new InvalidOperationException($"The CUDA stack on the CPU did not load: {loaded.Explain()}");
        NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, (name, _, _) => libraries.HandleFor(name));
        return libraries;
    }
}

/// <summary>Skips a suite's tests, with the reason, where the CUDA backend cannot run in-process on the CUDA stack on the CPU.</summary>
public sealed class NeedsCudaStackOnCpuInProcessAttribute : BackendUnavailableAttribute
{
    public override string? Reason => CudaStackOnCpuInProcess.SkipReason;
}

/// <summary>A test that runs the CUDA backend in-process on the CUDA stack on the CPU; where it cannot, skipped with the reason.</summary>
public sealed class CudaStackOnCpuInProcessFactAttribute : FactAttribute
{
    public CudaStackOnCpuInProcessFactAttribute() => Skip = CudaStackOnCpuInProcess.SkipReason;
}
