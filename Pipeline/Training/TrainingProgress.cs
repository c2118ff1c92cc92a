using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace CatsDogs.Pipeline.Training;

/// <summary>
/// Shows a training pass: a live bar (images/s, ETA, loss, accuracy) on a terminal. Where output
/// is redirected (nohup, tee, a service's log) a bar cannot redraw, so a plain line says the same
/// every <c>interval</c>: a long epoch is never silent in a log.
/// </summary>
internal sealed class TrainingProgress(IAnsiConsole console, bool live, TextWriter log, TimeSpan interval)
{
    public delegate void Report(long images, double imagesPerSecond, double loss, double accuracy);

    public static TrainingProgress ForConsole() =>
        new(AnsiConsole.Console, !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive, Console.Out, TimeSpan.FromSeconds(30));

    public async Task RunAsync(string title, long total, Func<Report, Task> pass)
    {
        if (!live)
        {
            var sinceLine = Stopwatch.StartNew();
            await pass((images, rate, loss, accuracy) =>
            {
                if (sinceLine.Elapsed < interval)
                {
                    return;
                }

                sinceLine.Restart();
                var eta = rate > 0 ? TimeSpan.FromSeconds((total - images) / rate) : TimeSpan.Zero;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{title}: {images:N0}/{total:N0} images ({100.0 * images / Math.Max(1, total):F0}%), {rate:F0} img/s, loss {loss:F4}, acc {accuracy:F3}, {(int)eta.TotalHours}:{eta:mm\\:ss} left"));
            });
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
