using System.CommandLine;
using CatsDogs.Pipeline.Hosting;
using CatsDogs.Telemetry;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// <c>--metrics-listen</c>, for the verbs that run long enough to watch, and the telemetry session it
/// starts. The session starts before the run folder exists, so a bad address or a busy port stops
/// the verb before anything of the run is made.
/// </summary>
internal sealed class MetricsOptions
{
    private readonly Option<string> _listen = CreateOption();

    public Option Listen => _listen;

    public void AddTo(Command command) => command.Add(_listen);

    /// <summary>Starts exporting; an address it cannot listen on is an <see cref="IOException"/> that says why (exit 2), before the verb makes anything.</summary>
    public Task<TelemetrySession> StartAsync(ParseResult result, CancellationToken cancellationToken) =>
        TelemetrySession.StartAsync(MetricsListen.Parse(result.GetRequiredValue(_listen)), new TextWriterLogger(Console.Error), cancellationToken);

    private static Option<string> CreateOption()
    {
        var option = new Option<string>(MetricsListen.OptionName)
        {
            Description = $"Serve Prometheus metrics (/metrics) and /healthz at ADDRESS:PORT; '{MetricsListen.Off}' turns it off. " +
                "A non-loopback address must be spelled out (0.0.0.0:9464 for every interface).",
            DefaultValueFactory = _ => MetricsListen.Default,
            HelpName = "ADDRESS:PORT|none",
        };

        // Refused at parse time, with the accepted forms, before the verb does anything.
        option.Validators.Add(result =>
        {
            try
            {
                MetricsListen.Parse(result.GetValueOrDefault<string>());
            }
            catch (FormatException e)
            {
                result.AddError(e.Message);
            }
        });
        return option;
    }
}
