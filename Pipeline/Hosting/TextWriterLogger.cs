using Microsoft.Extensions.Logging;

namespace CatsDogs.Pipeline.Hosting;

/// <summary>
/// Telemetry's log lines on the writer the rest of the app logs to (stderr), one line each,
/// written at once: no background thread to interleave with the progress display.
/// </summary>
internal sealed class TextWriterLogger(TextWriter writer) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var prefix = logLevel >= LogLevel.Warning ? "warning: " : "";
        lock (writer)
        {
            writer.WriteLine(prefix + formatter(state, exception));
        }
    }
}
