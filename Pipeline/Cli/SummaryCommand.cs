using System.CommandLine;
using CatsDogs.Model.Specs;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs summary`: the Keras-style table of a preset.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var size = RangedOption.CreateOptional<int>("--image-size", "Side of the square input, in pixels; by default the size the preset was designed for.", 8, 1024);
        var command = new Command("summary", "Print a preset's layers, output shapes and parameter counts, as Keras' model.summary() does.") { model.Model, size };
        command.SetAction(result =>
        {
            var spec = ModelPresets.Get(result.GetRequiredValue(model.Model));
            var side = result.GetValue(size) ?? spec.DefaultImageSize;
            Console.Write(ModelSummary.Render(spec, side, side));
            return 0;
        });
        return command;
    }
}
