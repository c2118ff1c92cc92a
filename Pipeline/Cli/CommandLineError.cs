namespace CatsDogs.Pipeline.Cli;

/// <summary>A request that cannot be carried out as given; the message says what to change. Exit code 2.</summary>
internal sealed class CommandLineError(string message) : Exception(message);
