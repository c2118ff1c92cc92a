namespace CatsDogs.Pipeline.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the new one, never a torn file:
/// the content goes to a temporary file in the same folder, is flushed to disk, then renamed over
/// the target. On failure the temporary file is removed and the old file stays as it was.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
