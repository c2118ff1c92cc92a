using CatsDogs.Pipeline.Cli;
using System.Net;
using System.Net.Sockets;
using CatsDogs.Tests.Fixtures;

namespace CatsDogs.Tests.Telemetry;

/// <summary>The real `catsdogs train` refuses a bad --metrics-listen before it makes anything of the run.</summary>
public sealed class MetricsListenCliTests : IDisposable
{
    private readonly TempFolder _data = new();
    private readonly TempFolder _runs = new();

    public MetricsListenCliTests()
    {
        for (int i = 0; i < 8; i++)
        {
            _data.Write($"{(i % 2 == 0 ? "cat" : "dog")}/{i}.jpg", Images.Jpeg(40, 40, seed: i));
        }
    }

    public void Dispose()
    {
        _data.Dispose();
        _runs.Dispose();
    }

    [Fact]
    public async Task A_busy_port_stops_train_before_the_run_folder_exists()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = (IPEndPoint)occupant.LocalEndpoint;

        var (exitCode, output) = await TrainAsync($"{taken}");

        Assert.Equal(ExitCodes.Environment, exitCode);
        Assert.Contains($"error: --metrics-listen {taken}: cannot listen there: port {taken.Port} is already in use", output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
        Assert.False(File.Exists(_runs.Combine("split.json")));
    }

    [Fact]
    public async Task An_address_this_machine_does_not_have_stops_train_with_the_reason()
    {
        // 192.0.2.0/24 is reserved for documentation: no interface carries it.
        var (exitCode, output) = await TrainAsync("192.0.2.1:9464");

        Assert.Equal(ExitCodes.Environment, exitCode);
        Assert.Contains("error: --metrics-listen 192.0.2.1:9464: cannot listen there: ", output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
        Assert.False(File.Exists(_runs.Combine("split.json")));
    }

    [Fact]
    public async Task An_unparsable_address_is_refused_with_the_forms_it_takes()
    {
        var (exitCode, output) = await TrainAsync("metrics.example.org:9464");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--metrics-listen 'metrics.example.org:9464': 'metrics.example.org' is not an IP address", output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
    }

    private async Task<(int ExitCode, string Output)> TrainAsync(string listen)
    {
        await using var app = ChildProcess.CatsDogs(
            "train", "--data", _data.Path, "--split-file", _runs.Combine("split.json"), "--runs-dir", _runs.Combine("runs"),
            "--device", "cpu", "--image-size", "16", "--epochs", "1", "--metrics-listen", listen);
        await app.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (app.ExitCode, app.Output);
    }
}
