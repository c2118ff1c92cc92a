using System.CommandLine;
using System.CommandLine.Parsing;
using CatsDogs.Model.Backends;
using CatsDogs.Model.Specs;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Training;

namespace CatsDogs.Pipeline.Cli;

/// <summary>The root of the `catsdogs` command line: one verb per job.</summary>
internal static class CatsDogsCommand
{
    public static RootCommand Create()
    {
        return new RootCommand("CatsDogs: trains a CNN to tell cats from dogs and keeps the GPU fed while it does.")
        {
            ImportCifarCommand.Create(),
            ExploreCommand.Create(),
            TrainCommand.Create(),
            TuneCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            ExportCommand.Create(),
            CompareCommand.Create(),
            SummaryCommand.Create(),
            RetuneCommand.Create(),
            BenchCommand.Create(),
            SelftestCommand.Create(),
        };
    }

    /// <summary>
    /// Runs the verb named by <paramref name="args"/>. A user's mistake (an unknown option or a value
    /// out of range, bad data, a taken run name, a damaged checkpoint) ends with its message and
    /// <see cref="ExitCodes.Usage"/>; what the machine refused (a disk, a port, a missing GPU or
    /// library) with its message and <see cref="ExitCodes.Environment"/>; neither shows a stack
    /// trace, which a bug still does.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        // Verbs handle Ctrl+C and SIGTERM themselves (StopSignal), so that training can finish its
        // batch and write a checkpoint instead of being cut off after System.CommandLine's grace period.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        try
        {
            var parsed = Create().Parse(args);
            var errors = parsed.Errors.Select(error => error.Message).Concat(EmptyValues(args, parsed.CommandResult.Command)).ToList();
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    Console.Error.WriteLine($"error: {error}");
                }

                if (parsed.UnmatchedTokens.FirstOrDefault() is { } typed && !typed.StartsWith('-') &&
                    VerbSuggestion.Nearest(parsed.CommandResult.Command, typed) is { } verb)
                {
                    Console.Error.WriteLine($"Did you mean '{VerbOf(parsed.CommandResult)} {verb}'?");
                }

                Console.Error.WriteLine($"See '{VerbOf(parsed.CommandResult)} --help' for the options.");
                return ExitCodes.Usage;
            }

            return await parsed.InvokeAsync(configuration);
        }
        catch (Exception e) when (e is CommandLineError or DatasetException or ModelSpecException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
        // IOException and UnauthorizedAccessException: a path that cannot be written, a full disk, no permission, a port in use.
        // A stream read past its end or an assembly that does not load is ours, though, and keeps its stack, as does a
        // NotSupportedException: no user's input reaches one.
        catch (Exception e) when (e is CudaUnavailableException or DecoderUnavailableException or UnauthorizedAccessException
            or (IOException and not (EndOfStreamException or FileLoadException)))
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Environment;
        }
        catch (DeviceFailure e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("Cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Unhandled exception: {e}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// `--epochs=` with nothing after the '=': System.CommandLine reads it as no value at all, so that an
    /// earlier `--epochs 5` would quietly stand.
    /// </summary>
    private static IEnumerable<string> EmptyValues(string[] args, Command verb) =>
        args.TakeWhile(arg => arg != "--")
            .Where(arg => arg.Length > 1 && arg[^1] == '=' && verb.Options.Any(option => option.Name == arg[..^1] || option.Aliases.Contains(arg[..^1])))
            .Select(arg => $"{arg[..^1]} has no value after '='; give one, or leave the option out for its default.");

    /// <summary>"catsdogs bench model": the command line up to the verb that was parsed.</summary>
    private static string VerbOf(CommandResult result) =>
        result.Parent is CommandResult parent ? $"{VerbOf(parent)} {result.Command.Name}" : "catsdogs";
}
