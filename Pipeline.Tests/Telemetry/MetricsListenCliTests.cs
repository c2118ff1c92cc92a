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
    public async Task A_busy_port_stops_train_with_exit_3_before_the_run_folder_exists()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = (IPEndPoint)occupant.LocalEndpoint;

        var (exitCode, output) = await TrainAsync($"{taken}");

        // README's exit codes: a port in use is the machine refusing (3), not a mistake in the request (2).
        Assert.Equal(ExitCodes.Environment, exitCode);
        Assert.Equal($"error: --metrics-listen {taken}: cannot listen there: port {taken.Port} is already in use (another catsdogs run?). Pick another address or port, or none.", output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
        Assert.False(File.Exists(_runs.Combine("split.json")));
    }

    [Fact]
    public async Task An_address_this_machine_does_not_have_stops_train_with_exit_3_and_the_reason()
    {
        // 192.0.2.0/24 is reserved for documentation: no interface carries it.
        var (exitCode, output) = await TrainAsync("192.0.2.1:0");

        Assert.Equal(ExitCodes.Environment, exitCode);
        Assert.Equal("error: --metrics-listen 192.0.2.1:0: cannot listen there: Cannot assign requested address. Pick another address or port, or none.", output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
        Assert.False(File.Exists(_runs.Combine("split.json")));
    }

    // A value of each kind the parser refuses (MetricsListenTests has them all), through the real command line.
    [Theory]
    [InlineData("9464", "expected ADDRESS:PORT")]
    [InlineData("127.0.0.1:65536", "the port must be a number from 0 to 65535 (0 picks a free one)")]
    [InlineData("metrics.example.org:9464", "'metrics.example.org' is not an IP address; spell the address out (a host name or wildcard is not accepted)")]
    [InlineData("*:9464", "'*' is not an IP address; spell the address out (a host name or wildcard is not accepted)")]
    public async Task A_value_that_is_no_address_and_port_is_exit_2_with_the_forms_it_takes(string listen, string problem)
    {
        var (exitCode, output) = await TrainAsync(listen);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal(
            $"error: --metrics-listen '{listen}': {problem}. Use 127.0.0.1:9464 (this machine only), [::1]:9464, an interface's own address, " +
            "0.0.0.0:9464 (every interface: anyone who can reach this machine can read the metrics), or none.\n" +
            "See 'catsdogs train --help' for the options.",
            output);
        Assert.False(Directory.Exists(_runs.Combine("runs")));
        Assert.False(File.Exists(_runs.Combine("split.json")));
    }

    private async Task<(int ExitCode, string Output)> TrainAsync(string listen)
    {
        await using var app = ChildProcess.CatsDogs(
            "train", "--data", _data.Path, "--split-file", _runs.Combine("split.json"), "--runs-dir", _runs.Combine("runs"),
            "--device", "cpu", "--image-size", "16", "--epochs", "1", "--metrics-listen", listen);
        await app.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (app.ExitCode, app.Output);
    }
}
