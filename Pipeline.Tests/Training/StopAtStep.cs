using System.Diagnostics.Metrics;
using CatsDogs.Model.Training;
using CatsDogs.Telemetry;
using CatsDogs.Tests.Telemetry;

namespace CatsDogs.Tests.Training;

/// <summary>
/// Asks for a stop during the training step that reaches <c>step</c>, as a signal arriving then would.
/// The trainer reports each step to its <see cref="Metrics"/> on its own thread, after the step and
/// before it looks at the stop token; asking there, rather than polling the network's step count
/// from another thread, makes the run stop after exactly that step however busy the machine is.
/// </summary>
internal sealed class StopAtStep : IDisposable
{
    private readonly TestMeters _meters = new();
    private readonly MeterListener _listener = new();

    public StopAtStep(Network network, long step, CancellationTokenSource stop)
    {
        Metrics = new TrainerMetrics(_meters.Factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, _meters.Factory) && instrument.Name == "catsdogs.trainer.images")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            if (network.Step >= step)
            {
                stop.Cancel();
            }
        });
        _listener.Start();
    }

    /// <summary>The metrics to give the trainer.</summary>
    public TrainerMetrics Metrics { get; }

    public void Dispose()
    {
        _listener.Dispose();
        _meters.Dispose();
    }
}
