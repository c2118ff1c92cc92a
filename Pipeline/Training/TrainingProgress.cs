using Spectre.Console;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Shows a training pass: a live bar (images/s, ETA, loss, accuracy) on a terminal; nothing
/// while it runs when output is redirected, where the trainer's one line per epoch is the log.
/// </summary>
internal sealed class TrainingProgress(IAnsiConsole console, bool live)
{
    public delegate void Report(long images, double imagesPerSecond, double loss, double accuracy);

    public static TrainingProgress ForConsole() =>
        new(AnsiConsole.Console, !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive);

    public async Task RunAsync(string title, long total, Func<Report, Task> pass)
    {
        if (!live)
        {
            await pass(static (_, _, _, _) => { });
            return;
        }

        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(title, maxValue: Math.Max(1, total));
                await pass((images, rate, loss, accuracy) =>
                {
                    task.Value = images;
                    task.Description = $"{title}  {rate,6:F0} img/s  loss {loss:F4}  acc {accuracy:F3}";
                });
                task.Value = task.MaxValue;
            });
    }
}
