using System.Runtime.InteropServices;

namespace CatsDogs.Model.Native.Loading;

/// <summary>
/// A component loaded from one place: the handle of each file, keyed by its name (patterns
/// resolved), and a line for each optional file that did not load (where it was, and what the
/// dynamic loader said), since the library that needs it fails later and less clearly.
/// </summary>
internal sealed record LoadedComponent(LibraryComponent Component, string? Folder, IReadOnlyDictionary<string, nint> Handles, IReadOnlyList<string> OptionalNotLoaded)
{
    public nint Primary => Handles[Component.Primary.Name];

    /// <summary>Where it came from, for messages: "in FOLDER" or "found by soname".</summary>
    public string Where => Folder is null ? "found by soname" : $"in {Folder}";

    /// <summary>Unloads every file, for a component that turned out unusable.</summary>
    public void Free() => ComponentLoader.Free(Handles.Values);

    /// <summary>
    /// Unloads every file; false where the dynamic loader keeps one (a library marked no-delete),
    /// which it would then bind a later library of the same soname to.
    /// </summary>
    public bool TryUnload()
    {
        Free();
        return !Component.Files.Where(file => !file.IsPattern)
            .Any(file => DynamicLoader.IsLoaded(Folder is null ? file.Name : Path.Combine(Folder, file.Name)));
    }
}

/// <summary>
/// Loads a <see cref="LibraryComponent"/> from the first place where all its required files load,
/// and writes one line per place tried (what was missing, or what the dynamic loader said) into
/// the trace. A place that fails partway has what it loaded freed again.
/// </summary>
internal static class ComponentLoader
{
    public static LoadedComponent? Load(LibraryComponent component, LibrarySearch search, ICollection<string> trace) =>
        LoadEach(component, search, trace).FirstOrDefault();

    /// <summary>Tries the given places in order; a null place is the dynamic loader's own search by soname.</summary>
    public static LoadedComponent? Load(LibraryComponent component, IEnumerable<string?> places, ICollection<string> trace) =>
        LoadEach(component, places, trace).FirstOrDefault();

    /// <summary>
    /// The component from each place of <paramref name="search"/> where it loads, lazily and in
    /// order: for a caller that may find the first unusable and go on to the next.
    /// </summary>
    public static IEnumerable<LoadedComponent> LoadEach(LibraryComponent component, LibrarySearch search, ICollection<string> trace) =>
        LoadEach(component, (search.TrySonames ? new string?[] { null } : []).Concat(search.FoldersFor(component)), trace);

    public static void Free(IEnumerable<nint> handles)
    {
        foreach (var handle in handles)
        {
            NativeLibrary.Free(handle);
        }
    }

    private static IEnumerable<LoadedComponent> LoadEach(LibraryComponent component, IEnumerable<string?> places, ICollection<string> trace)
    {
        foreach (var folder in places)
        {
            if (folder is not null && !File.Exists(Path.Combine(folder, component.Marker.Name)))
            {
                trace.Add($"{Path.Combine(folder, component.Marker.Name)}: no such file");
                continue;
            }

            var optionalNotLoaded = new List<string>();
            if (TryLoadAll(component, folder, trace, optionalNotLoaded) is { } handles)
            {
                yield return new LoadedComponent(component, folder, handles, optionalNotLoaded);
            }
        }
    }

    private static Dictionary<string, nint>? TryLoadAll(LibraryComponent component, string? folder, ICollection<string> trace, List<string> optionalNotLoaded)
    {
        var handles = new Dictionary<string, nint>(StringComparer.Ordinal);
        // A pattern is resolved in the folder where the loader found the component's earlier files
        // by soname: NVRTC found so must still get its builtins, which it opens only when it compiles.
        var patternFolder = folder;
        foreach (var file in component.Files)
        {
            if (Resolve(file, file.IsPattern ? patternFolder : folder) is not { } target)
            {
                continue;
            }

            try
            {
                handles[file.Name] = NativeLibrary.Load(target);
                patternFolder ??= DynamicLoader.FolderOf(handles[file.Name]);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                var line = $"{(folder is null ? $"{target} (loader search)" : target)}: {LoaderSays(e.Message)}";
                if (!file.Required)
                {
                    // An optional file a folder lacks is an older release; one that is there and fails is worth a line.
                    if (folder is null || File.Exists(target))
                    {
                        optionalNotLoaded.Add($"optional {line}");
                        trace.Add($"optional {line}");
                    }

                    continue;
                }

                trace.Add(line);
                Free(handles.Values);
                return null;
            }
        }

        return handles;
    }

    /// <summary>What to hand the loader for a file at a place; null for a pattern that matches nothing (or cannot be searched by soname).</summary>
    private static string? Resolve(LibraryFile file, string? folder)
    {
        if (!file.IsPattern)
        {
            return folder is null ? file.Name : Path.Combine(folder, file.Name);
        }

        return folder is null || !Directory.Exists(folder)
            ? null
            : Directory.EnumerateFiles(folder, file.Name).Order(StringComparer.Ordinal).LastOrDefault();
    }

    /// <summary>
    /// The runtime's message opens with generic advice and then gives dlerror's line per name
    /// variation it tried; those lines are the reason.
    /// </summary>
    private static string LoaderSays(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 ? string.Join(" | ", lines.Skip(1).Distinct()) : message.Trim();
    }
}
