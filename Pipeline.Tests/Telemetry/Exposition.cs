using System.Text.RegularExpressions;

namespace CatsDogs.Tests.Telemetry;

/// <summary>One metric family of a scrape: its <c># TYPE</c>, <c># HELP</c>, label names and sample lines.</summary>
internal sealed record MetricFamily(string Name, string Type, string Help, IReadOnlyList<string> LabelNames, IReadOnlyList<string> Lines);

/// <summary>Reads the Prometheus text exposition format the exporter writes: a family's lines follow its <c># TYPE</c>.</summary>
internal static partial class Exposition
{
    /// <summary>Labels every family of ours carries and that say nothing about the series.</summary>
    private static readonly string[] ScopeLabels = ["otel_scope_name", "otel_scope_version", "otel_scope_schema_url", "le"];

    public static Dictionary<string, MetricFamily> Parse(string text)
    {
        var families = new Dictionary<string, (string Type, string Help, SortedSet<string> Labels, List<string> Lines)>();
        string? current = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            if (parts is ["#", "TYPE", var name, var type])
            {
                current = name;
                families[name] = (type, "", [], [line]);
                continue;
            }

            if (current is null)
            {
                throw new FormatException($"A line before any # TYPE: {line}");
            }

            var family = families[current];
            family.Lines.Add(line);
            if (parts is ["#", "HELP", _, var help])
            {
                families[current] = family with { Help = help };
            }
            else if (!line.StartsWith('#'))
            {
                foreach (Match label in LabelPattern().Matches(line))
                {
                    if (!ScopeLabels.Contains(label.Groups[1].Value))
                    {
                        family.Labels.Add(label.Groups[1].Value);
                    }
                }
            }
        }

        return families.ToDictionary(f => f.Key, f => new MetricFamily(f.Key, f.Value.Type, f.Value.Help, [.. f.Value.Labels], f.Value.Lines));
    }

    /// <summary>The families the CatsDogs meter exports (its own and the hw.gpu ones), as opposed to runtime and process metrics.</summary>
    public static bool IsCatsDogs(string family) => family.StartsWith("catsdogs_", StringComparison.Ordinal) || family.StartsWith("hw_gpu_", StringComparison.Ordinal);

    [GeneratedRegex(@"[{,]([a-zA-Z_][a-zA-Z0-9_]*)=""(?:[^""\\]|\\.)*""")]
    private static partial Regex LabelPattern();
}
