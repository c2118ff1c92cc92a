using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// Runs a verb so that a user's mistake (bad data, a taken run name, a missing GPU, a damaged
/// checkpoint) ends with its message and exit code 2, not a stack trace; bugs still show theirs.
/// </summary>
internal static class Guarded
{
    public const int UserErrorExitCode = 2;

    public static async Task<int> RunAsync(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (Exception e) when (e is CommandLineError or DatasetException or NotSupportedException or InvalidDataException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserErrorExitCode;
        }
    }

    public static Task<int> Run(Func<int> verb) => RunAsync(() => Task.FromResult(verb()));
}
