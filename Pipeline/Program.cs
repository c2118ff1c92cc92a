using CatsDogs.Pipeline.Cli;

return await CatsDogsCommand.Create().Parse(args).InvokeAsync();
