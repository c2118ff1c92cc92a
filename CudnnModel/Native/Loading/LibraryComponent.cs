namespace CatsDogs.Model.Native.Loading;

/// <summary>
/// Libraries that must come from one place (one folder, or all through the loader's own search),
/// listed dependencies first. A required file that does not load rules the place out; an
/// optional one is loaded when present. <see cref="Primary"/> is the file the bindings call into.
/// </summary>
internal sealed record LibraryComponent(string Name, IReadOnlyList<LibraryFile> Files, IReadOnlyList<string> WheelFolders)
{
    public LibraryFile Primary => Files.Last(file => file.Required);

    /// <summary>The file whose presence makes a folder worth trying.</summary>
    public LibraryFile Marker => Files.First(file => file.Required);

    public static LibraryComponent Driver { get; } = new("the CUDA driver", [new("libcuda.so.1")], []);

    /// <summary>cuDNN's graph library alone: it reports which CUDA major the cuDNN build needs.</summary>
    public static LibraryComponent CudnnGraph { get; } = new("cuDNN 9", [new("libcudnn_graph.so.9")], ["nvidia/cudnn/lib", "nvidia/cu13/lib"]);

    /// <summary>
    /// The rest of cuDNN 9, from the folder the graph library came from. The shim loads its
    /// sub-libraries lazily by soname, so each is preloaded here by absolute path; those a release
    /// may lack (adv, and tensor_ir, which newer 9.x releases add) are optional.
    /// </summary>
    public static LibraryComponent CudnnRest(IReadOnlyList<string> wheelFolders) => new("cuDNN 9",
    [
        new("libcudnn_ops.so.9"),
        new("libcudnn_cnn.so.9"),
        new("libcudnn_adv.so.9", Required: false),
        new("libcudnn_engines_precompiled.so.9", Required: false),
        new("libcudnn_engines_runtime_compiled.so.9", Required: false),
        new("libcudnn_engines_tensor_ir.so.9", Required: false),
        new("libcudnn_heuristic.so.9", Required: false),
        new("libcudnn.so.9"),
    ], wheelFolders);

    /// <summary>cuBLAS of a CUDA major version: cuBLASLt first, which cuBLAS needs.</summary>
    public static LibraryComponent Cublas(int major) => new($"cuBLAS {major}",
        [new($"libcublasLt.so.{major}"), new($"libcublas.so.{major}")],
        major >= 13 ? [$"nvidia/cu{major}/lib"] : ["nvidia/cublas/lib"]);

    /// <summary>
    /// NVRTC of a CUDA major version, with its builtins library (named with the minor version)
    /// preloaded: NVRTC opens it only when it compiles, and some wheels' NVRTC cannot find it then.
    /// </summary>
    public static LibraryComponent Nvrtc(int major) => new($"NVRTC {major}",
        [new($"libnvrtc.so.{major}"), new($"libnvrtc-builtins.so.{major}.*", Required: false)],
        major >= 13 ? [$"nvidia/cu{major}/lib"] : ["nvidia/cuda_nvrtc/lib"]);
}

/// <summary>A library file by soname; a '*' in the name matches the minor version (folders only).</summary>
internal sealed record LibraryFile(string Name, bool Required = true)
{
    public bool IsPattern => Name.Contains('*');
}
