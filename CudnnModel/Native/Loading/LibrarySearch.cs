namespace CatsDogs.Model.Native.Loading;

/// <summary>
/// Where the loader looks for GPU libraries, in order: the bare soname (the dynamic loader's own
/// search: ld.so.cache, LD_LIBRARY_PATH), then the folders of <c>CATSDOGS_CUDA_LIBS</c>, then the
/// standard CUDA and driver folders, then the NVIDIA wheel folders under each Python
/// site-packages. Tests build one over a fake folder tree.
/// </summary>
internal sealed record LibrarySearch
{
    /// <summary>A path list (':'-separated) of folders searched before any standard one.</summary>
    public const string OverrideVariable = "CATSDOGS_CUDA_LIBS";

    /// <summary>Toolkit, Debian/Ubuntu, RHEL, NVIDIA container toolkit and WSL2 folders.</summary>
    public static readonly IReadOnlyList<string> DefaultStandardFolders =
    [
        "/usr/local/cuda/lib64",
        "/usr/local/cuda/targets/x86_64-linux/lib",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib64",
        "/usr/local/nvidia/lib64",
        "/usr/lib/wsl/lib",
    ];

    /// <summary>Whether to try the bare soname first; false keeps the host's libraries out of a test.</summary>
    public bool TrySonames { get; init; } = true;

    public IReadOnlyList<string> OverrideFolders { get; init; } = [];

    public IReadOnlyList<string> StandardFolders { get; init; } = DefaultStandardFolders;

    /// <summary>Python site-packages (or dist-packages) folders that may hold <c>nvidia/...</c> wheels.</summary>
    public IReadOnlyList<string> SitePackages { get; init; } = [];

    /// <summary>The search this process should use: the override variable, the standard folders and the Python installs found here.</summary>
    public static LibrarySearch FromEnvironment() => new()
    {
        OverrideFolders = SplitPathList(Environment.GetEnvironmentVariable(OverrideVariable)),
        SitePackages = SitePackageFolders.Discover(),
    };

    public static IReadOnlyList<string> SplitPathList(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The folders to look in for a component, in order, without duplicates.</summary>
    public IEnumerable<string> FoldersFor(LibraryComponent component) =>
        OverrideFolders
            .Concat(StandardFolders)
            .Concat(SitePackages.SelectMany(root => component.WheelFolders.Select(wheel => Path.Combine(root, wheel))))
            .Distinct(StringComparer.Ordinal);
}
