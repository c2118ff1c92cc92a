using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CatsDogs.Telemetry;

/// <summary>
/// The <c>--metrics-listen</c> value: <c>ADDRESS:PORT</c> or <c>none</c>. The address must be spelled
/// out as an IP literal (or <c>localhost</c>): listening beyond loopback is never a default or a
/// wildcard, it is <c>0.0.0.0:9464</c> or a specific interface's address, typed on purpose.
/// </summary>
public static class MetricsListen
{
    public const string OptionName = "--metrics-listen";

    public const string Default = "127.0.0.1:9464";

    public const string Off = "none";

    /// <summary>The endpoint to listen on, or null for <c>none</c>. Throws <see cref="FormatException"/> naming the option and the forms it takes.</summary>
    public static IPEndPoint? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = text.Trim();
        if (spec.Equals(Off, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!SplitHostPort(spec, out var host, out var portText))
        {
            throw Invalid(text, "expected ADDRESS:PORT");
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            throw Invalid(text, $"the port must be a number from 0 to {IPEndPoint.MaxPort} (0 picks a free one)");
        }

        return new IPEndPoint(ParseAddress(text, host), port);
    }

    private static bool SplitHostPort(string spec, out string host, out string port)
    {
        if (spec.StartsWith('['))
        {
            int close = spec.IndexOf("]:", StringComparison.Ordinal);
            (host, port) = close < 0 ? ("", "") : (spec[1..close], spec[(close + 2)..]);
            return close > 1;
        }

        int colon = spec.LastIndexOf(':');
        (host, port) = colon < 0 ? ("", "") : (spec[..colon], spec[(colon + 1)..]);
        // A second colon means an IPv6 address without brackets: its port would be ambiguous.
        return colon > 0 && !host.Contains(':');
    }

    private static IPAddress ParseAddress(string text, string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        // IPAddress.TryParse also takes shorthands such as "1" for 0.0.0.1; only dotted quads and bracketed IPv6 are accepted.
        bool dottedQuad = host.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
        if (IPAddress.TryParse(host, out var address)
            && (address.AddressFamily == AddressFamily.InterNetworkV6 || dottedQuad))
        {
            return address;
        }

        throw Invalid(text, $"'{host}' is not an IP address; spell the address out (a host name or wildcard is not accepted)");
    }

    private static FormatException Invalid(string text, string problem) =>
        new($"{OptionName} '{text}': {problem}. Use {Default} (this machine only), [::1]:9464, an interface's own address, " +
            $"0.0.0.0:9464 (every interface: anyone who can reach this machine can read the metrics), or {Off}.");
}
