namespace CatsDogs.Pipeline.Training;

/// <summary>runs/&lt;name&gt;/metrics.csv: one row per epoch, appended and flushed as each epoch ends.</summary>
internal sealed class MetricsCsv(string path)
{
    public List<EpochRecord> ReadAll() =>
        File.Exists(path) ? File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(EpochRecord.Parse).ToList() : [];

    /// <summary>
    /// Appends a row. On resume, rows of epochs at or after <paramref name="record"/>'s (written
    /// after the checkpoint the run resumed from) are dropped first, so each epoch has one row.
    /// </summary>
    public void Append(EpochRecord record)
    {
        var kept = ReadAll().Where(r => r.Epoch < record.Epoch).Append(record);
        Model.Checkpoints.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.WriteLine(EpochRecord.Header);
            foreach (var row in kept)
            {
                writer.WriteLine(row.ToCsv());
            }
        });
    }
}
