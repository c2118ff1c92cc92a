namespace CatsDogs.Model.Checkpoints;

/// <summary>
/// Replaces a file so that readers see either the old or the new contents, never a torn mix: write
/// a temporary file in the same folder (a rename is atomic only within one file system), flush it
/// to the disk, then rename it over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>. If anything fails, the
    /// temporary file is removed, the previous file is left as it was, and an
    /// <see cref="IOException"/> says which file and why.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not write '{full}': {error.Message} The previous file, if any, is unchanged.", error);
        }
        finally
        {
            // Present only when something failed before the rename.
            if (File.Exists(temporary))
            {
                TryDelete(temporary);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The write already failed; a stray temporary file is the lesser problem.
        }
    }
}
