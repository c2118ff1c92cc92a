using System.CommandLine;
using System.Globalization;
using CatsDogs.Pipeline.Data;
using CatsDogs.Pipeline.Dataflow;
using CatsDogs.Pipeline.Inference;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs evaluate`: loss, accuracy and the confusion matrix of a checkpoint on labeled data.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var inference = new CheckpointOptions();
        var data = SharedOptions.Data("Labeled images to evaluate on (Kaggle flat or class folders).", CifarDefaults.TestFolder);
        var input = new InputOptions(training: false);
        var model = new ModelOptions();
        var command = new Command("evaluate", "Evaluate a checkpoint on labeled images: loss, accuracy and the confusion matrix.") { data };
        inference.AddTo(command);
        input.AddTo(command);
        model.AddTo(command, withModel: false);
        command.SetAction(async (result, cancellationToken) =>
        {
            var checkpoint = inference.Checkpoint(result);
            var index = DatasetIndex.Scan(result.GetRequiredValue(data).FullName, requireLabels: true);
            index.ReportUnread(Console.Error);
            using var device = model.Open(result, Console.Out);
            var (probabilities, delivered, statistics, skipped) = await CheckpointedInference.RunAsync(
                checkpoint, device, input.Bind(result), inference.Fit(result), new ImageSource(index), cancellationToken);
            var confusion = ConfusionMatrix.From(index.Entries.Select(e => e.Label).ToList(), probabilities, delivered);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images: {statistics.Count}, loss {statistics.MeanLoss:F4}, accuracy {statistics.Accuracy:F4}"));
            Console.WriteLine(confusion.Render());
            Console.WriteLine(skipped);
            return 0;
        });
        return command;
    }
}
