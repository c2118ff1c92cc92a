using System.Net;
using CatsDogs.Telemetry;

namespace CatsDogs.Tests.Telemetry;

[Collection(EndpointCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Dump()
    {
        await using var live = await LiveSession.StartAsync();
        live.Session.Pipeline.AddImages(PipelineStage.Decode, 3);
        live.Session.Trainer.AddStep(32, TimeSpan.FromMilliseconds(40));
        live.Session.Trainer.SetTrainingScores(0.5, 0.75);
        var text = await live.ScrapeUntilAsync(t => t.Contains("hw_gpu"));
        File.WriteAllText("/tmp/telemetry-scrape.txt", text);
    }
}
