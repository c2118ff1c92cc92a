namespace CatsDogs.Tests.Cli;

/// <summary>Tests that redirect the process's Console run alone, so that no other test's output lands in theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
