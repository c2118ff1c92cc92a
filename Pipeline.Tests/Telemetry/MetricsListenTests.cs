using System.Net;
using CatsDogs.Telemetry;

namespace CatsDogs.Tests.Telemetry;

public sealed class MetricsListenTests
{
    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1", 9464)]
    [InlineData(" 127.0.0.1:9464 ", "127.0.0.1", 9464)]
    [InlineData("[::1]:9464", "::1", 9464)]
    [InlineData("localhost:9000", "127.0.0.1", 9000)]
    [InlineData("0.0.0.0:9464", "0.0.0.0", 9464)]
    [InlineData("[::]:9464", "::", 9464)]
    [InlineData("192.168.1.20:80", "192.168.1.20", 80)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    public void Parses_spelled_out_addresses(string text, string address, int port) =>
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), MetricsListen.Parse(text));

    [Theory]
    [InlineData("none")]
    [InlineData("NONE")]
    public void None_turns_the_endpoint_off(string text) => Assert.Null(MetricsListen.Parse(text));

    [Fact]
    public void Default_is_loopback_on_9464() =>
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9464), MetricsListen.Parse(MetricsListen.Default));

    [Theory]
    [InlineData("", "expected ADDRESS:PORT")]
    [InlineData("9464", "expected ADDRESS:PORT")]
    [InlineData(":9464", "expected ADDRESS:PORT")]
    [InlineData("127.0.0.1", "expected ADDRESS:PORT")]
    [InlineData("::1:9464", "expected ADDRESS:PORT")]
    [InlineData("[::1]9464", "expected ADDRESS:PORT")]
    [InlineData("127.0.0.1:65536", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:-1", "the port must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:http", "the port must be a number from 0 to 65535")]
    [InlineData("*:9464", "'*' is not an IP address")]
    [InlineData("+:9464", "'+' is not an IP address")]
    [InlineData("example.org:9464", "'example.org' is not an IP address")]
    [InlineData("1:9464", "'1' is not an IP address")]
    [InlineData("127.1:9464", "'127.1' is not an IP address")]
    [InlineData("300.0.0.1:9464", "'300.0.0.1' is not an IP address")]
    public void Rejects_anything_else_naming_the_option_and_the_accepted_forms(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => MetricsListen.Parse(text));
        Assert.StartsWith($"--metrics-listen '{text}': {problem}", error.Message);
        Assert.Contains("127.0.0.1:9464", error.Message);
        Assert.Contains("0.0.0.0:9464", error.Message);
        Assert.Contains("none", error.Message);
    }
}
