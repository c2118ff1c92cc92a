using System.Runtime.InteropServices;

namespace CatsDogs.Pipeline.Cli;

/// <summary>
/// Turns the first SIGINT (Ctrl+C) or SIGTERM into a cancellation the job can finish cleanly
/// on; a second one of either ends the process the usual way, for when finishing takes too long.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly string _message;

    public StopSignal(string message)
    {
        _message = message;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    public CancellationToken Token => _stop.Token;

    private void Handle(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Console.Error.WriteLine($"{context.Signal}: {_message} (a second Ctrl+C or SIGTERM quits at once)");
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }
}
