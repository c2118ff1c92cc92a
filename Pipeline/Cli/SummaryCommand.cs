using System.CommandLine;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs summary`: the Keras-style table of a preset.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var size = RangedOption.Create("--image-size", "Side of the square input, in pixels.", 64, 8, 1024);
        var command = new Command("summary", "Print a preset's layers, output shapes and parameter counts, as Keras' model.summary() does.") { model.Model, size };
        command.SetAction(result =>
        {
            Console.Write(ModelSummary.Render(ModelPresets.Get(result.GetRequiredValue(model.Model)), result.GetValue(size), result.GetValue(size)));
            return 0;
        });
        return command;
    }
}
