using System.Text.Json;

namespace CatsDogs.Tests.Telemetry;

/// <summary>A panel of grafana/dashboards/catsdogs.json: its row, its title and its PromQL queries.</summary>
internal sealed record DashboardPanel(string Row, string Title, IReadOnlyList<string> Queries);

internal static class Dashboard
{
    public const string InstanceFilter = "{instance=~\"$instance\"}";

    public static string Path => RepoPaths.Of("grafana/dashboards/catsdogs.json");

    public static JsonDocument Load() => JsonDocument.Parse(File.ReadAllText(Path));

    public static IReadOnlyList<DashboardPanel> Panels()
    {
        using var json = Load();
        var panels = new List<DashboardPanel>();
        var row = "";
        foreach (var panel in json.RootElement.GetProperty("panels").EnumerateArray())
        {
            var title = panel.GetProperty("title").GetString()!;
            if (panel.GetProperty("type").GetString() == "row")
            {
                row = title;
                continue;
            }

            var queries = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToArray();
            panels.Add(new DashboardPanel(row, title, queries));
        }

        return panels;
    }

    /// <summary>The dashboard's annotation queries, each with its name.</summary>
    public static IReadOnlyList<(string Name, string Query)> Annotations()
    {
        using var json = Load();
        return [.. json.RootElement.GetProperty("annotations").GetProperty("list").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString()!, a.GetProperty("expr").GetString()!))];
    }

    /// <summary>The query as Grafana sends it: the instance variable at "All", the rate interval at <paramref name="rateInterval"/>.</summary>
    public static string Resolve(string query, string rateInterval) =>
        query.Replace("$instance", ".+", StringComparison.Ordinal).Replace("$__rate_interval", rateInterval, StringComparison.Ordinal);
}
