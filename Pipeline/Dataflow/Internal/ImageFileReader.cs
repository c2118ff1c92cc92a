namespace CatsDogs.Pipeline.Dataflow.Internal;

internal static class ImageFileReader
{
    /// <summary>Reads a whole file into the job's encoded buffer, or marks the job skipped with the reason.</summary>
    public static void Read(ImageJob job, string path)
    {
        try
        {
            using var handle = File.OpenHandle(path);
            var length = RandomAccess.GetLength(handle);
            if (length == 0)
            {
                job.Skip = SkipReason.Empty;
            }
            else if (length > int.MaxValue)
            {
                job.Skip = SkipReason.TooLarge;
            }
            else
            {
                job.Encoded.EnsureCapacity((int)length);
                job.EncodedLength = RandomAccess.Read(handle, job.Encoded.Span((int)length), 0);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            job.Skip = SkipReason.Unreadable;
            job.SkipDetail = e.Message;
        }
    }
}
