using CatsDogs.Pipeline.Cli;

return await CatsDogsCommand.RunAsync(args);
