using System.CommandLine;
using CatsDogs.Pipeline.Runs;
using CatsDogs.Pipeline.Tuning;
using CatsDogs.Pipeline.Tuning.Retune;

namespace CatsDogs.Pipeline.Cli;

/// <summary>`catsdogs retune RUN_FOLDER`: changes the input settings of a running train or bench input, at once, and prints those in force.</summary>
internal static class RetuneCommand
{
    public static Command Create()
    {
        var runFolder = new Argument<string>("RUN_FOLDER") { Description = "The run folder of a running train or bench input (runs/<name>)." };
        var settings = new Dictionary<SettingName, Option<int?>>
        {
            [SettingName.DecodeThreads] = RangedOption.CreateOptional<int>("--decode-threads", "Workers decoding at one time (at most the cores).", 1, 256),
            [SettingName.ReadThreads] = RangedOption.CreateOptional<int>("--read-threads", "Workers reading a file at one time.", 1, SettingLimits.MaxReadThreads),
            [SettingName.AugmentThreads] = RangedOption.CreateOptional<int>("--augment-threads", "Workers warping images at one time (at most the cores).", 1, 256),
            [SettingName.Prefetch] = RangedOption.CreateOptional<int>("--prefetch", "Finished batches kept ready ahead of the consumer.", 1, SettingLimits.MaxPrefetchOption),
            [SettingName.QueuePerThread] = RangedOption.CreateOptional<int>("--queue-per-thread", "Chunks of 8 images in circulation per worker.", 1, SettingLimits.MaxQueuePerThread),
        };
        var batchSize = new Option<int?>("--batch-size") { Description = "Refused: the batch size is fixed for a run (find one with `catsdogs tune`)." };
        var timeout = RangedOption.Create("--timeout", "Seconds to wait for the process's answer.", 5.0, 0.1, 600.0);

        var command = new Command("retune", "Change the input settings of a running `train` or `bench input` without stopping it; with no setting, show those in force.")
        {
            runFolder, batchSize, timeout,
        };
        foreach (var option in settings.Values)
        {
            command.Add(option);
        }

        command.SetAction(result =>
        {
            if (result.GetValue(batchSize) is not null)
            {
                throw new CommandLineError("--batch-size cannot change while a run goes on: the optimisation depends on it (the learning rate, batch norm, the steps per epoch). " +
                    "Find the best one with `catsdogs tune`, then start a run with `train --tuning runs/<name>/tuning.json`.");
            }

            var run = RunFolder.OpenExisting(result.GetRequiredValue(runFolder));
            var asked = settings.Where(pair => result.GetValue(pair.Value) is not null).ToDictionary(pair => pair.Key, pair => result.GetValue(pair.Value)!.Value);
            var answer = RetuneClient.Send(run, asked, TimeSpan.FromSeconds(result.GetValue(timeout)));
            var inForce = string.Join(", ", answer.Settings.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key.Label()} {pair.Value}"));
            if (!answer.Accepted)
            {
                throw new CommandLineError($"{run.Name} refused the change: {answer.Message} Nothing was changed; in force: {inForce}.");
            }

            Console.WriteLine($"{run.Name}: in force: {inForce}");
            return ExitCodes.Success;
        });
        return command;
    }
}
