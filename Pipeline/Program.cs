using System.CommandLine;
using CatsDogs.Pipeline.Cli;

// Verbs handle Ctrl+C and SIGTERM themselves (StopSignal), so that training can finish its batch
// and write a checkpoint instead of being cut off after System.CommandLine's grace period.
return await CatsDogsCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
