using System.Net;
using System.Net.Sockets;

namespace CatsDogs.Tests.Telemetry;

internal static class LoopbackPort
{
    /// <summary>A port free on 127.0.0.1 a moment ago, for a child process that must be told its port up front.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
