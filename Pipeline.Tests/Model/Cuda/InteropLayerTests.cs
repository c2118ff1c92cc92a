using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using CatsDogs.Model.Native;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Model.Cuda;

/// <summary>
/// The CUDA interop's three layers, held by the sources: the declarations (*Native.cs) are called
/// from layer 2 (*Api.cs) only, the backend calls layer 3 only, and every C function a failure
/// message names is one that layer 1 binds, so that the name a user searches for exists.
/// </summary>
public sealed partial class InteropLayerTests
{
    [Fact]
    public void Only_layer_2_calls_the_declarations()
    {
        var calls = Matches("CudnnModel", DeclarationCall(), path => !IsLayer1(path) && !IsLayer2(path));

        Assert.Empty(calls);
    }

    [Fact]
    public void The_backend_calls_only_layer_3()
    {
        var calls = Matches("CudnnModel/Backends/Cuda", Layer1Or2Name(), _ => true);

        Assert.Empty(calls);
    }

    [Fact]
    public void Every_c_function_named_in_a_message_is_bound_by_layer_1()
    {
        var bound = typeof(CudaNative).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(method => method.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .Select(method => method.Name)
            .ToHashSet(StringComparer.Ordinal);

        var named = Matches("CudnnModel", QuotedCName(), path => !IsLayer1(path));

        Assert.NotEmpty(named);
        Assert.All(named, found => Assert.True(bound.Contains(found.Text), $"{found.Where} names {found.Text}, which layer 1 does not bind"));
    }

    private static bool IsLayer1(string path) => path.EndsWith("Native.cs", StringComparison.Ordinal);

    private static bool IsLayer2(string path) => path.EndsWith("Api.cs", StringComparison.Ordinal);

    /// <summary>Each match in the C# files under <paramref name="folder"/> that <paramref name="include"/> takes, with its file and line.</summary>
    private static List<(string Where, string Text)> Matches(string folder, Regex pattern, Func<string, bool> include) =>
        [.. Directory.EnumerateFiles(RepoPaths.Of(folder), "*.cs", SearchOption.AllDirectories)
            .Where(include)
            .Order(StringComparer.Ordinal)
            .SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .SelectMany(at => pattern.Matches(at.line).Select(match =>
                ($"{Path.GetRelativePath(RepoPaths.Root, at.path)}:{at.index + 1}", match.Value)))];

    /// <summary>A call into a *Native class; its library name, which the loader maps, is not a call.</summary>
    [GeneratedRegex(@"\b(?:Cuda|Cudnn|Cublas|Nvrtc)Native\.(?!LibraryName\b)\w+")]
    private static partial Regex DeclarationCall();

    [GeneratedRegex(@"\b(?:Cuda|Cudnn|Cublas|Nvrtc)(?:Native|Api)\b")]
    private static partial Regex Layer1Or2Name();

    /// <summary>
    /// The CUDA, cuDNN, cuBLAS or NVRTC function's name that a string starts with, e.g. "cuMemAlloc_v2"
    /// or $"cuModuleLoadDataEx{...}"; not a library's name ("cuDNN ...") nor a parameter's in a doc comment.
    /// </summary>
    [GeneratedRegex(@"(?<=(?<!name=)"")(?:cu|cudnn|cublas|nvrtc)[A-Z][a-z]\w*")]
    private static partial Regex QuotedCName();
}
