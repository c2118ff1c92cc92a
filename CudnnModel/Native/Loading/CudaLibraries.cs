using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native.Loading;

/// <summary>Every GPU library the backend binds, loaded, and the CUDA major version they share.</summary>
internal sealed record CudaLibrarySet(LoadedComponent Driver, LoadedComponent Cudnn, LoadedComponent Cublas, LoadedComponent Nvrtc, int CudaMajor)
{
    /// <summary>The handle behind each logical library name of the bindings.</summary>
    public nint HandleFor(string libraryName) => libraryName switch
    {
        CudaNative.LibraryName => Driver.Primary,
        CudnnNative.LibraryName => Cudnn.Primary,
        CublasNative.LibraryName => Cublas.Primary,
        NvrtcNative.LibraryName => Nvrtc.Primary,
        _ => 0,
    };

    /// <summary>A line for each optional library that did not load, in any component.</summary>
    public IEnumerable<string> OptionalNotLoaded => new[] { Driver, Cudnn, Cublas, Nvrtc }.SelectMany(component => component.OptionalNotLoaded);
}

/// <summary>What loading found: the libraries, or a one-line reason and every place that was tried.</summary>
internal sealed record CudaLoadResult(CudaLibrarySet? Libraries, string Reason, IReadOnlyList<string> Trace)
{
    /// <summary>The reason followed by each place tried, for an error message.</summary>
    public string Explain() => Trace.Count == 0 ? Reason : $"{Reason}; tried: {string.Join("; ", Trace)}";
}

/// <summary>
/// The one place that loads the CUDA driver, cuDNN 9, cuBLAS and NVRTC. Order: the driver; cuDNN's
/// graph library, which says which CUDA major cuDNN was built for; cuBLAS and NVRTC of that major
/// (cuDNN needs the same ones); the rest of cuDNN from the graph library's folder. Where any of
/// those fails, the graph library of the next place is tried. Then one
/// resolver maps the bindings' logical names to those handles.
/// Thread-safety: <see cref="Shared"/> loads once per process behind a <see cref="Lazy{T}"/>;
/// the runtime allows one resolver per assembly, so only that load registers it.
/// </summary>
internal static class CudaLibraries
{
    private static readonly Lazy<CudaLoadResult> Loaded = new(LoadAndRegister);

    /// <summary>This process's libraries, found through <see cref="LibrarySearch.FromEnvironment"/>.</summary>
    public static CudaLoadResult Shared => Loaded.Value;

    /// <summary>Loads from <paramref name="search"/> without registering a resolver (tests use fake trees).</summary>
    public static CudaLoadResult Load(LibrarySearch search)
    {
        var trace = new List<string>();
        CudaLoadResult Fail(string reason) => new(null, reason, trace);

        if (ComponentLoader.Load(LibraryComponent.Driver, search, trace) is not { } driver)
        {
            return Fail("the CUDA driver (libcuda.so.1) did not load (no NVIDIA driver here?)");
        }

        // A cuDNN found first may be built for a CUDA whose cuBLAS is not here (a system cuDNN for
        // CUDA 12 beside PyTorch's CUDA 13 wheels): then the next cuDNN found is tried.
        CudaLoadResult? unusable = null;
        foreach (var graph in ComponentLoader.LoadEach(LibraryComponent.CudnnGraph, search, trace))
        {
            var result = LoadWith(driver, graph, search, trace);
            if (result.Libraries is not null)
            {
                return result;
            }

            if (!graph.TryUnload())
            {
                return result with
                {
                    Reason = $"{result.Reason}; the next cuDNN was not tried, as the one {graph.Where} cannot be unloaded: " +
                        "put the folder of the cuDNN to use first in LD_LIBRARY_PATH",
                };
            }

            unusable = result;
        }

        return unusable ?? Fail("cuDNN 9 (libcudnn_graph.so.9) was not found");
    }

    /// <summary>cuBLAS and NVRTC of the CUDA major <paramref name="graph"/> was built for, then the rest of its cuDNN.</summary>
    private static CudaLoadResult LoadWith(LoadedComponent driver, LoadedComponent graph, LibrarySearch search, List<string> trace)
    {
        CudaLoadResult Fail(string reason) => new(null, reason, trace);

        var built = CudaMajorOf(graph.Primary);
        int[] majors = built is { } major ? [major] : [13, 12];
        LoadedComponent? cublas = null;
        var cudaMajor = 0;
        foreach (var candidate in majors)
        {
            if (ComponentLoader.Load(LibraryComponent.Cublas(candidate), search, trace) is { } found)
            {
                (cublas, cudaMajor) = (found, candidate);
                break;
            }
        }

        if (cublas is null)
        {
            return Fail($"cuBLAS ({string.Join(" or ", majors.Select(m => $"libcublas.so.{m}"))}{(built is null ? "" : $", as the cuDNN {graph.Where} was built for CUDA {built}")}) did not load");
        }

        if (ComponentLoader.Load(LibraryComponent.Nvrtc(cudaMajor), search, trace) is not { } nvrtc)
        {
            cublas.Free();
            return Fail($"NVRTC (libnvrtc.so.{cudaMajor}) did not load");
        }

        var rest = LibraryComponent.CudnnRest(LibraryComponent.CudnnGraph.WheelFolders);
        if (ComponentLoader.Load(rest, [graph.Folder], trace) is not { } cudnn)
        {
            cublas.Free();
            nvrtc.Free();
            return Fail($"cuDNN 9's other libraries did not all load from {graph.Folder ?? "the loader's search path"}");
        }

        return new CudaLoadResult(new CudaLibrarySet(driver, cudnn, cublas, nvrtc, cudaMajor), "loaded", trace);
    }

    /// <summary>cudnnGetCudartVersion (e.g. 12080) / 1000, read straight from the graph library; null when it lacks the export.</summary>
    private static unsafe int? CudaMajorOf(nint graph) =>
        NativeLibrary.TryGetExport(graph, "cudnnGetCudartVersion", out var function)
            ? (int)(((delegate* unmanaged<nuint>)function)() / 1000)
            : null;

    private static CudaLoadResult LoadAndRegister()
    {
        var result = Load(LibrarySearch.FromEnvironment());
        if (result.Libraries is { } libraries)
        {
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, (name, _, _) => libraries.HandleFor(name));
        }

        return result;
    }
}
