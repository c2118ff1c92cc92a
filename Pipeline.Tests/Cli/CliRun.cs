using CatsDogs.Pipeline.Cli;

namespace CatsDogs.Tests.Cli;

/// <summary>Runs a verb as the program does, capturing what it writes; for tests in <see cref="ConsoleCollection"/>.</summary>
internal static class CliRun
{
    public static (int Exit, string Output) Run(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (savedOut, savedError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exit = CatsDogsCommand.RunAsync(args).GetAwaiter().GetResult();
            return (exit, output + error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }
    }
}
