using System.CommandLine;
using CatsDogs.Pipeline.Bench;
using CatsDogs.Pipeline.Data;
using Spectre.Console;
using CatsDogs.Pipeline.Hosting;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs bench make-kaggle-sized`: a corpus of Kaggle-sized JPEGs for decode benchmarks.</summary>
internal static class BenchUpscaleCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Folder of images to upscale.", CifarDefaults.TrainFolder);
        var output = new Option<DirectoryInfo>("--out") { Description = "A new or empty folder to write the corpus to, in the data set's layout (class folders are kept).", Required = true };
        var count = RangedOption.Create("--count", "Images to write.", 2000, 1, 1_000_000);
        var seed = SharedOptions.Seed("picking the images and their sizes");
        var command = new Command("make-kaggle-sized", "Write upscaled copies of a data set's images at Kaggle-like sizes (about 400x360), for decode benchmarks.")
        {
            data, output, count, seed,
        };
        command.SetAction((result, cancellationToken) =>
        {
            // Merging into earlier files would make a corpus of unknown make-up.
            var target = result.GetRequiredValue(output);
            if (File.Exists(target.FullName) || (target.Exists && target.EnumerateFiles("*", SearchOption.AllDirectories).Any()))
            {
                throw new CommandLineError($"--out '{target.FullName}' is a file or holds files; give a new or empty folder.");
            }

            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: false);
            index.ReportUnread(Console.Error);
            var total = Math.Min(result.GetValue(count), index.Entries.Count);
            var written = 0;
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask("upscaling", maxValue: total);
                written = KaggleSizedCorpus.Write(
                    index, result.GetRequiredValue(output).FullName, total, result.GetValue(seed), new SynchronousProgress<int>(n => task.Value = n), cancellationToken);
            });
            Console.WriteLine($"Wrote {written} images to {result.GetRequiredValue(output).FullName}.");
            return Task.FromResult(0);
        });
        return command;
    }
}
