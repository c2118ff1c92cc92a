using System.CommandLine;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow.Decoding;
using CatsDogs.Pipeline.Explore;
using CatsDogs.Pipeline.Hosting;
using CatsDogs.Pipeline.Runs;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs explore`: the original data exploration, reproduced in a run folder.</summary>
internal static class ExploreCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Folder of images to explore (any layout).");
        var exclude = SharedOptions.Exclude();
        var skewed = RangedOption.Create("--skewed", "How many of the most skewed images to show and list.", 10, 1, 1000);
        var threads = RangedOption.Create("--threads", "Threads reading and decoding.", Environment.ProcessorCount, 1, 256);
        var maxPixels = RangedOption.Create("--max-pixels", "Images whose header claims more pixels are listed as too large.", 50_000_000L, 1L, 1L << 40);
        var runsDirectory = SharedOptions.RunsDirectory();
        var name = SharedOptions.RunName();
        var command = new Command("explore", "Histograms of image sizes, the most skewed images (contact sheet and exclude list) and the corrupt files, written to a run folder.")
        {
            data, exclude, skewed, threads, maxPixels, runsDirectory, name,
        };
        command.SetAction(result =>
        {
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: false);
            index.ReportUnread(Console.Error);
            if (result.GetValue(exclude) is { } excludeFile)
            {
                index = index.Without(ExcludeList.Load(excludeFile.FullName));
            }

            var run = RunFolder.CreateNew(result.GetRequiredValue(runsDirectory), result.GetValue(name), "explore");
            using var decoder = ImageDecoders.Create(DecoderChoice.Auto, Console.Error);
            ImageFacts[] facts = [];
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask("reading images", maxValue: index.Entries.Count);
                facts = DatasetExplorer.Inspect(
                    index, decoder, result.GetValue(maxPixels), result.GetValue(threads), new SynchronousProgress<int>(n => task.Value = n));
            });
            Console.Write(ExploreReport.Write(index, facts, run, result.GetValue(skewed)));
            var written = Directory.EnumerateFiles(run.Path, "*", SearchOption.AllDirectories).Select(file => Path.GetRelativePath(run.Path, file)).Order(StringComparer.Ordinal);
            Console.WriteLine($"Wrote {string.Join(", ", written)} to {run.Path}.");
            return 0;
        });
        return command;
    }
}
