namespace CatsDogs.Pipeline.Cli;

/// <summary>What catsdogs' exit status means; README.md gives the same table.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A bug (its stack trace is printed) or a GPU that failed while working (its report is in the run folder).</summary>
    public const int Failed = 1;

    /// <summary>The request cannot be carried out as given: an option, a path, the data, a checkpoint or a busy run folder; the message says what to change.</summary>
    public const int Usage = 2;

    /// <summary>
    /// The machine could not do what was asked: a disk full or not writable, a port in use, a
    /// library or GPU that is not there, checkpoints that could not all be written.
    /// </summary>
    public const int Environment = 3;

    /// <summary>128 + SIGINT, as shells report a job stopped by Ctrl+C.</summary>
    public const int Cancelled = 130;
}
