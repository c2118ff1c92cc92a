using System.Globalization;
using System.Text.Json;
using CatsDogs.Tests.Fixtures;
using CatsDogs.Tests.Model.Cuda;

namespace CatsDogs.Tests.Telemetry;

/// <summary>
/// The proof that the dashboard shows something: a real Prometheus scrapes a real `catsdogs train`
/// run on generated data, and every panel's queries go to Prometheus's HTTP API and must return
/// finite numbers. The run loads the NVML of the CUDA stack on the CPU (tests/cuda-on-cpu), so the
/// GPU panels are queried like the rest.
/// </summary>
[Collection(EndpointCollection.Name)]
public sealed class DashboardTests
{
    /// <summary>Four scrapes at the test's 1 s scrape interval, as Grafana's $__rate_interval would give.</summary>
    private const string RateInterval = "4s";

    /// <summary>How long a query may take to show data: a rate needs two scrapes, a GPU series the sampler's first reading.</summary>
    private static readonly TimeSpan QueryPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Every_query_filters_by_the_instance_variable_and_both_variables_exist()
    {
        using var json = Dashboard.Load();
        var variables = json.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .ToDictionary(v => v.GetProperty("name").GetString()!, v => v.GetProperty("type").GetString());
        Assert.Equal("datasource", variables["datasource"]);
        Assert.Equal("query", variables["instance"]);

        var panels = Dashboard.Panels();
        Assert.Equal(["Saturation", "Settings", "Pipeline", "Training", "Process"], panels.Select(p => p.Row).Distinct());
        Assert.Equal(["Setting changes"], Dashboard.Annotations().Select(a => a.Name));
        foreach (var (title, queries) in panels.Select(p => (p.Title, p.Queries)).Concat(Dashboard.Annotations().Select(a => (a.Name, (IReadOnlyList<string>)[a.Query]))))
        {
            Assert.NotEmpty(queries);
            foreach (var query in queries)
            {
                // Every metric selector must carry the filter, or "instance" would not narrow that panel.
                var selectors = System.Text.RegularExpressions.Regex.Matches(query, @"\b(catsdogs|hw|process|dotnet)_[a-z0-9_]+\b(?!\{instance)");
                Assert.True(selectors.Count == 0, $"'{title}': {query} has a selector without {Dashboard.InstanceFilter}");
            }
        }
    }

    [Fact]
    public void Every_query_keeps_instances_apart_and_every_legend_names_the_instance()
    {
        // $instance is multi-select: an aggregation without "instance" would blend the runs selected
        // (a p95 of two runs' steps together), and a legend without it would not say which run a line is.
        using var json = Dashboard.Load();
        foreach (var panel in json.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row"))
        {
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var query = target.GetProperty("expr").GetString()!;
                var aggregations = System.Text.RegularExpressions.Regex.Matches(query, @"\b(sum|avg|min|max|count|topk|bottomk|quantile)\b\s*(by\s*\(([^)]*)\))?\s*\(");
                foreach (System.Text.RegularExpressions.Match aggregation in aggregations)
                {
                    var by = aggregation.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries);
                    Assert.True(by.Contains("instance"), $"'{panel.GetProperty("title")}': {query} aggregates across instances");
                }

                Assert.Contains("{{instance}}", target.GetProperty("legendFormat").GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("grafana/prometheus.yml")]
    [InlineData("grafana/prometheus.desktop.yml")]
    public async Task Prometheus_config_is_valid(string path)
    {
        var (exit, output) = await Promtool.RunAsync("check", "config", RepoPaths.Of(path));
        Assert.True(exit == 0, string.Join('\n', output));
    }

    [CppFact]
    public async Task Every_panel_returns_data_from_a_real_prometheus_scraping_a_real_run()
    {
        using var data = new TempFolder();
        BadImages.WriteTo(data);
        for (int i = 0; i < 600; i++)
        {
            data.Write($"{(i % 2 == 0 ? "cat" : "dog")}/{i}.jpg", Images.Jpeg(48 + i % 17, 40 + i % 13, seed: i));
        }

        // Small images, the compact net on the CPU, and more epochs than the test waits for: it is stopped when done.
        // The stack's NVML (found first through LD_LIBRARY_PATH) gives the GPU series; no CUDA is used.
        using var runs = new TempFolder();
        await using var app = ChildProcess.CatsDogs(
            CudaStackOnCpu.Environment,
            "train", "--data", data.Path, "--split-file", runs.Combine("split.json"), "--runs-dir", runs.Path,
            "--model", "compact", "--device", "cpu", "--image-size", "32", "--batch-size", "32", "--epochs", "1000", "--log-every", "1",
            "--max-pixels", BadImages.MaxPixels.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--metrics-listen", MetricsAddress.AnyPort);
        await using var prometheus = await PrometheusServer.StartAsync(await MetricsAddress.OfAsync(app), TimeSpan.FromSeconds(1));
        var up = await prometheus.QueryUntilAsync("up{job=\"catsdogs\"} == 1", TimeSpan.FromSeconds(60));
        Assert.True(up.Length == 1, $"Prometheus never scraped catsdogs; its targets: {await prometheus.Http.GetStringAsync("/api/v1/targets")}\ncatsdogs said:\n{app.Output}");

        var empty = new List<string>();
        foreach (var panel in Dashboard.Panels())
        {
            foreach (var query in panel.Queries)
            {
                if (await WhyNoFiniteDataAsync(prometheus, query) is { } why)
                {
                    empty.Add($"'{panel.Title}': {query}: {why}");
                }
            }
        }

        // The GPU panels show the stand-in's readings, in SI units: its 70 W (NVML says 70000 mW) and its 4 GiB.
        Assert.Equal([70.0], (await prometheus.QueryAsync("catsdogs_gpu_power_watts")).Select(SampleValue));
        Assert.Equal([4294967296.0], (await prometheus.QueryAsync("hw_gpu_memory_limit_bytes")).Select(SampleValue));

        // "Data" must mean every series: both sides of both blocks (the workers, which read, decode and warp, and the batcher), the batch block's output included.
        var queues = await prometheus.QueryAsync("catsdogs_pipeline_queue_depth");
        var sides = queues.Select(q => $"{q.GetProperty("metric").GetProperty("block")}/{q.GetProperty("metric").GetProperty("side")}").Order().ToArray();
        Assert.Equal(
            ["batch/input", "batch/output", "decode/input", "decode/output"],
            sides);

        // Every setting is on the gauge; a retune of the running train moves one, and the annotation marks it.
        var settings = (await prometheus.QueryAsync("catsdogs_pipeline_setting")).Select(s => s.GetProperty("metric").GetProperty("setting").GetString()!).Order().ToArray();
        Assert.Equal(["augment_threads", "batch_size", "cache", "decode_threads", "prefetch", "queue_per_thread", "read_threads"], settings);
        var run = Directory.GetDirectories(runs.Path).Single();
        var (retuned, retuneOutput) = await ChildProcess.RunCatsDogsAsync("retune", run, "--prefetch", "2");
        Assert.True(retuned == 0, retuneOutput);
        var prefetch = await prometheus.QueryUntilAsync("catsdogs_pipeline_setting{setting=\"prefetch\"} == 2", TimeSpan.FromSeconds(30));
        Assert.True(prefetch.Length == 1, $"the gauge never showed the retuned prefetch; catsdogs said:\n{app.Output}");
        foreach (var annotation in Dashboard.Annotations())
        {
            if (await WhyNoFiniteDataAsync(prometheus, annotation.Query) is { } why)
            {
                empty.Add($"annotation '{annotation.Name}': {annotation.Query}: {why}");
            }
        }

        Assert.False(app.HasExited, $"catsdogs stopped early:\n{app.Output}");
        Assert.True(empty.Count == 0, $"Queries without data:\n{string.Join('\n', empty)}\ncatsdogs said:\n{app.Output}");
    }

    /// <summary>
    /// Polls the query, as Grafana sends it, until it returns series whose every value is a finite number; null then, else
    /// what its last answer lacked. An empty answer draws nothing, and neither does a NaN, such as histogram_quantile
    /// gives over buckets that saw no observation.
    /// </summary>
    private static async Task<string?> WhyNoFiniteDataAsync(PrometheusServer prometheus, string query)
    {
        var deadline = DateTime.UtcNow + QueryPatience;
        while (true)
        {
            var values = (await prometheus.QueryAsync(Dashboard.Resolve(query, RateInterval))).Select(SampleValue).ToArray();
            if (values.Length > 0 && values.All(double.IsFinite))
            {
                return null;
            }

            if (DateTime.UtcNow > deadline)
            {
                return values.Length == 0 ? "no series" : $"values {string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}";
            }

            await Task.Delay(250);
        }
    }

    /// <summary>An instant vector sample's value, which Prometheus's API gives as a string: a number, NaN, +Inf or -Inf.</summary>
    private static double SampleValue(JsonElement sample) => sample.GetProperty("value")[1].GetString() switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        var text => double.Parse(text!, CultureInfo.InvariantCulture),
    };
}
