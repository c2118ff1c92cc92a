using System.Runtime.InteropServices;
using CatsDogs.Model.Native.Loading;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The loader's probing order and error messages on fake folder trees. A "library" that must
/// load is a copy of a real shared object of the .NET runtime under the expected name; one that
/// must fail to load is an empty file.
/// </summary>
public sealed class CudaLibraryLoadingTests : IDisposable
{
    private readonly TempFolder _tree = new();

    private string Override => _tree.Combine("override");

    private string Standard => _tree.Combine("usr", "local", "cuda", "lib64");

    private string Site => _tree.Combine("site-packages");

    private LibrarySearch Search => new()
    {
        TrySonames = false,
        OverrideFolders = [Override],
        StandardFolders = [Standard],
        SitePackages = [Site],
    };

    [Fact]
    public void With_nothing_installed_the_error_lists_every_place_in_order()
    {
        var result = CudaLibraries.Load(Search);

        Assert.Null(result.Libraries);
        Assert.Contains("libcuda.so.1", result.Reason);
        Assert.Equal([Path.Combine(Override, "libcuda.so.1") + ": no such file", Path.Combine(Standard, "libcuda.so.1") + ": no such file"], result.Trace);
        Assert.Contains(result.Trace[0], result.Explain());
        Assert.Contains(result.Trace[1], result.Explain());
    }

    [Fact]
    public void The_bare_soname_is_tried_first_and_what_the_loader_said_is_kept()
    {
        var result = CudaLibraries.Load(Search with { TrySonames = true, OverrideFolders = [], StandardFolders = [] });

        Assert.Null(result.Libraries);
        Assert.StartsWith("libcuda.so.1 (loader search): ", result.Trace[0]);
        Assert.Contains("libcuda.so.1", result.Trace[0]["libcuda.so.1 (loader search): ".Length..]);
    }

    [Fact]
    public void A_file_that_does_not_load_is_reported_with_the_loaders_reason_and_the_search_goes_on()
    {
        _tree.Write(Path.Combine("override", "libcuda.so.1"), []);
        Loadable(Path.Combine(Standard, "libcuda.so.1"));

        var result = CudaLibraries.Load(Search);

        Assert.StartsWith(Path.Combine(Override, "libcuda.so.1") + ": ", result.Trace[0]);
        Assert.DoesNotContain("no such file", result.Trace[0]);
        Assert.Contains("cuDNN 9", result.Reason);
    }

    [Fact]
    public void Cudnn_is_looked_for_in_the_wheel_folders_after_the_standard_ones()
    {
        Loadable(Path.Combine(Override, "libcuda.so.1"));

        var result = CudaLibraries.Load(Search);

        var graph = result.Trace.Where(line => line.Contains("libcudnn_graph.so.9")).ToList();
        Assert.Equal(
        [
            Path.Combine(Override, "libcudnn_graph.so.9"),
            Path.Combine(Standard, "libcudnn_graph.so.9"),
            Path.Combine(Site, "nvidia", "cudnn", "lib", "libcudnn_graph.so.9"),
            Path.Combine(Site, "nvidia", "cu13", "lib", "libcudnn_graph.so.9"),
        ], graph.Select(line => line[..line.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void Without_a_cuda_version_from_cudnn_both_cublas_majors_are_probed_in_their_wheel_folders()
    {
        Loadable(Path.Combine(Override, "libcuda.so.1"));
        Loadable(Path.Combine(Site, "nvidia", "cudnn", "lib", "libcudnn_graph.so.9"));

        var result = CudaLibraries.Load(Search);

        Assert.Contains("libcublas.so.13 or libcublas.so.12", result.Reason);
        Assert.Contains(Path.Combine(Site, "nvidia", "cu13", "lib", "libcublasLt.so.13") + ": no such file", result.Trace);
        Assert.Contains(Path.Combine(Site, "nvidia", "cublas", "lib", "libcublasLt.so.12") + ": no such file", result.Trace);
    }

    [Fact]
    public void Cudnn_sub_libraries_come_from_the_graph_librarys_folder_and_a_missing_one_is_named()
    {
        var wheel = Path.Combine(Site, "nvidia", "cu13", "lib");
        Loadable(Path.Combine(Override, "libcuda.so.1"));
        Loadable(Path.Combine(Site, "nvidia", "cudnn", "lib", "libcudnn_graph.so.9"));
        Loadable(Path.Combine(wheel, "libcublasLt.so.13"));
        Loadable(Path.Combine(wheel, "libcublas.so.13"));
        Loadable(Path.Combine(wheel, "libnvrtc.so.13"));
        Loadable(Path.Combine(Site, "nvidia", "cudnn", "lib", "libcudnn_ops.so.9"));
        _tree.Write(Path.Combine("site-packages", "nvidia", "cudnn", "lib", "libcudnn_cnn.so.9"), []);

        var result = CudaLibraries.Load(Search);

        Assert.Null(result.Libraries);
        Assert.Contains("cuDNN 9's other libraries", result.Reason);
        Assert.Contains(Path.Combine(Site, "nvidia", "cudnn", "lib"), result.Reason);
        var cnn = Path.Combine(Site, "nvidia", "cudnn", "lib", "libcudnn_cnn.so.9");
        Assert.Contains(result.Trace, line => line.StartsWith(cnn + ": ", StringComparison.Ordinal) && !line.EndsWith("no such file", StringComparison.Ordinal));
    }

    [CppFact]
    public void A_cudnn_built_for_a_cuda_whose_cublas_is_missing_gives_way_to_the_next_cudnn_found()
    {
        var cudnn = Path.Combine(Site, "nvidia", "cudnn", "lib");
        var wheel = Path.Combine(Site, "nvidia", "cu13", "lib");
        Loadable(Path.Combine(Standard, "libcuda.so.1"));
        CudnnGraphFor(cudaVersion: 12080, Path.Combine(Standard, "libcudnn_graph.so.9"));
        CudnnGraphFor(cudaVersion: 13000, Path.Combine(cudnn, "libcudnn_graph.so.9"));
        foreach (var name in new[] { "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn.so.9" })
        {
            Loadable(Path.Combine(cudnn, name));
        }

        foreach (var name in new[] { "libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13" })
        {
            Loadable(Path.Combine(wheel, name));
        }

        var result = CudaLibraries.Load(Search);

        var libraries = Assert.IsType<CudaLibrarySet>(result.Libraries);
        Assert.Equal(13, libraries.CudaMajor);
        Assert.Equal(cudnn, libraries.Cudnn.Folder);
        Assert.Contains(Path.Combine(Site, "nvidia", "cublas", "lib", "libcublasLt.so.12") + ": no such file", result.Trace);
    }

    [CppFact]
    public void A_cudnn_that_cannot_be_unloaded_is_not_followed_by_another_and_the_reason_says_what_to_do()
    {
        var cudnn = Path.Combine(Site, "nvidia", "cudnn", "lib");
        Loadable(Path.Combine(Standard, "libcuda.so.1"));
        CudnnGraphFor(cudaVersion: 12080, Path.Combine(Standard, "libcudnn_graph.so.9"), "-Wl,-z,nodelete");
        CudnnGraphFor(cudaVersion: 13000, Path.Combine(cudnn, "libcudnn_graph.so.9"));

        var result = CudaLibraries.Load(Search);

        Assert.Null(result.Libraries);
        Assert.Contains($"as the cuDNN in {Standard} was built for CUDA 12", result.Reason);
        Assert.Contains($"the next cuDNN was not tried, as the one in {Standard} cannot be unloaded", result.Reason);
        Assert.DoesNotContain(result.Trace, line => line.StartsWith(Path.Combine(cudnn, "libcudnn_graph.so.9"), StringComparison.Ordinal));
    }

    [CppFact]
    public void When_no_cudnn_found_has_its_cublas_the_reason_names_the_last_one_tried()
    {
        var cudnn = Path.Combine(Site, "nvidia", "cudnn", "lib");
        Loadable(Path.Combine(Standard, "libcuda.so.1"));
        CudnnGraphFor(cudaVersion: 12080, Path.Combine(Standard, "libcudnn_graph.so.9"));
        CudnnGraphFor(cudaVersion: 13000, Path.Combine(cudnn, "libcudnn_graph.so.9"));

        var result = CudaLibraries.Load(Search);

        Assert.Null(result.Libraries);
        Assert.Contains($"libcublas.so.13, as the cuDNN in {cudnn} was built for CUDA 13) did not load", result.Reason);
        Assert.Contains(Path.Combine(Site, "nvidia", "cublas", "lib", "libcublasLt.so.12") + ": no such file", result.Explain());
    }

    [Fact]
    public void A_complete_fake_tree_loads_and_binds_every_logical_name()
    {
        var (cudnn, wheel) = CompleteTree();

        var result = CudaLibraries.Load(Search);

        var libraries = Assert.IsType<CudaLibrarySet>(result.Libraries);
        Assert.Equal(13, libraries.CudaMajor);
        Assert.Equal(cudnn, libraries.Cudnn.Folder);
        Assert.Equal(wheel, libraries.Nvrtc.Folder);
        Assert.Contains("libnvrtc-builtins.so.13.*", libraries.Nvrtc.Handles.Keys);
        Assert.All(new[] { "libcuda.so.1", "libcudnn.so.9", "libcublas", "libnvrtc" }, name => Assert.NotEqual(0, libraries.HandleFor(name)));
        Assert.Equal(0, libraries.HandleFor("libz.so.1"));
        Assert.Empty(libraries.OptionalNotLoaded);
    }

    [Fact]
    public void An_optional_library_that_is_there_but_does_not_load_is_named_with_the_loaders_reason_and_an_absent_one_is_not()
    {
        var (cudnn, _) = CompleteTree();
        var adv = Path.Combine(cudnn, "libcudnn_adv.so.9");
        _tree.Write(Path.GetRelativePath(_tree.Path, adv), []);
        Loadable(Path.Combine(cudnn, "libcudnn_engines_precompiled.so.9"));

        var result = CudaLibraries.Load(Search);

        var libraries = Assert.IsType<CudaLibrarySet>(result.Libraries);
        var line = Assert.Single(libraries.OptionalNotLoaded);
        Assert.StartsWith($"optional {adv}: ", line);
        Assert.DoesNotContain("no such file", line);
        Assert.Contains(line, result.Trace);
        Assert.Contains("libcudnn_engines_precompiled.so.9", libraries.Cudnn.Handles.Keys);
        Assert.DoesNotContain(result.Trace, traced => traced.Contains("libcudnn_engines_tensor_ir.so.9", StringComparison.Ordinal));
    }

    [Fact]
    public void The_folder_a_library_was_found_in_by_soname_is_known_so_its_companions_can_be_found_there()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        try
        {
            var folder = DynamicLoader.FolderOf(libc);

            Assert.NotNull(folder);
            Assert.True(File.Exists(Path.Combine(folder, "libc.so.6")), folder);
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    [Fact]
    public void The_override_variable_is_a_colon_separated_path_list()
    {
        Assert.Equal(["/a/lib", "/b lib"], LibrarySearch.SplitPathList("/a/lib: :/b lib:"));
        Assert.Empty(LibrarySearch.SplitPathList(null));
    }

    [Fact]
    public void Site_packages_are_found_under_a_prefix()
    {
        Directory.CreateDirectory(_tree.Combine("prefix", "lib", "python3.12", "site-packages"));
        Directory.CreateDirectory(_tree.Combine("prefix", "lib", "python3", "dist-packages"));
        Directory.CreateDirectory(_tree.Combine("prefix", "lib", "perl5"));

        var found = SitePackageFolders.Under(_tree.Combine("prefix")).ToList();

        Assert.Equal([_tree.Combine("prefix", "lib", "python3", "dist-packages"), _tree.Combine("prefix", "lib", "python3.12", "site-packages")], found);
    }

    [Fact]
    public void The_environment_of_the_first_python3_on_path_is_a_prefix_even_without_virtual_env()
    {
        Directory.CreateDirectory(_tree.Combine("tools", "bin"));
        _tree.Write("venv/bin/python3", []);
        _tree.Write("system/bin/python3", []);

        var path = string.Join(':', _tree.Combine("tools", "bin"), _tree.Combine("venv", "bin") + "/", _tree.Combine("system", "bin"));

        Assert.Equal(_tree.Combine("venv"), SitePackageFolders.PythonPrefix(path));
        Assert.Null(SitePackageFolders.PythonPrefix(_tree.Combine("tools", "bin")));
        Assert.Null(SitePackageFolders.PythonPrefix(Path.GetRelativePath(Environment.CurrentDirectory, _tree.Combine("venv", "bin"))));
    }

    public void Dispose() => _tree.Dispose();

    /// <summary>Every required library, loadable: the driver in the standard folder, cuDNN in its wheel, cuBLAS and NVRTC 13 in theirs; returns those two wheel folders.</summary>
    private (string Cudnn, string Wheel) CompleteTree()
    {
        var cudnn = Path.Combine(Site, "nvidia", "cudnn", "lib");
        var wheel = Path.Combine(Site, "nvidia", "cu13", "lib");
        Loadable(Path.Combine(Standard, "libcuda.so.1"));
        foreach (var name in new[] { "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn.so.9" })
        {
            Loadable(Path.Combine(cudnn, name));
        }

        foreach (var name in new[] { "libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13", "libnvrtc-builtins.so.13.0" })
        {
            Loadable(Path.Combine(wheel, name));
        }

        return (cudnn, wheel);
    }

    /// <summary>A fake of cuDNN's graph library that reports being built for <paramref name="cudaVersion"/> (e.g. 12080 for 12.8).</summary>
    private void CudnnGraphFor(int cudaVersion, string path, params string[] options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var source = _tree.Combine($"graph-{cudaVersion}.cpp");
        File.WriteAllText(source, $"#include <cstddef>\nextern \"C\" std::size_t cudnnGetCudartVersion() {{ return {cudaVersion}; }}\n");
        NativeBuild.SharedLibrary(path, [source, .. options]);
    }

    /// <summary>A real shared object (the runtime's own System.Native) copied under a GPU library's name.</summary>
    private void Loadable(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "libSystem.Native.so"), path, overwrite: true);
    }
}
