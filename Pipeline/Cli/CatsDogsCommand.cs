using System.CommandLine;

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
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            SummaryCommand.Create(),
            BenchCommand.Create(),
            SelftestCommand.Create(),
        };
    }
}
