using System.CommandLine;
using CatsDogs.Pipeline.Data;

namespace CatsDogs.Pipeline.Cli;

/// <summary>The root of the `catsdogs` command line: one verb per job.</summary>
internal static class CatsDogsCommand
{
    public const int UserErrorExitCode = 2;

    private const int BugExitCode = 1;

    public static RootCommand Create()
    {
        return new RootCommand("CatsDogs: trains a CNN to tell cats from dogs and keeps the GPU fed while it does.")
        {
            ImportCifarCommand.Create(),
            ExploreCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            SummaryCommand.Create(),
            BenchCommand.Create(),
            SelftestCommand.Create(),
        };
    }

    /// <summary>
    /// Runs the verb named by <paramref name="args"/>. A user's mistake (bad data, a taken run
    /// name, a missing GPU, a damaged checkpoint) ends with its message and exit code 2, not a
    /// stack trace; a bug still shows its stack.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // Verbs handle Ctrl+C and SIGTERM themselves (StopSignal), so that training can finish its
        // batch and write a checkpoint instead of being cut off after System.CommandLine's grace period.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            return await Create().Parse(args).InvokeAsync(configuration);
        }
        catch (Exception e) when (e is CommandLineError or DatasetException or NotSupportedException or InvalidDataException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UserErrorExitCode;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Unhandled exception: {e}");
            return BugExitCode;
        }
    }
}
